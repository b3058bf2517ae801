import { describe, expect, it } from 'vitest';
import { describeNulKeyCollision, nulKeyCollisionOf, stripNulCharacters } from '../../src/api/nul-characters.ts';
import { interpretResponse } from '../../src/api/interpret-response.ts';

const parse = (text: string) =>
  interpretResponse(
    { status: 200, headers: {}, bytes: new TextEncoder().encode(text) },
    { url: 'http://x/', redact: (t) => t, maxRetryAfterMs: 0 },
  ).body;

describe('NUL characters in a body', () => {
  it('drops NUL from strings and keys and keeps an escaped backslash before u0000', () => {
    expect(parse('{"a":"x\\u0000y","k\\u0000":["\\u0000z"]}')).toEqual({ a: 'xy', k: ['z'] });
    expect(parse('{"a":"x\\\\u0000y"}')).toEqual({ a: 'x\\u0000y' });
    expect(parse('{"a":"x\\\\\\u0000y"}')).toEqual({ a: 'x\\y' });
  });

  it('keeps key order and a __proto__ key when it rebuilds an object', () => {
    const body = parse('{"z":1,"__proto__":2,"b\\u0000":3,"a":4}') as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['z', '__proto__', 'b', 'a']);
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(nulKeyCollisionOf(body)).toBeUndefined();
  });

  it('never merges two keys: the record holding them is marked, the others are not', () => {
    const body = parse('{"data":[{"id":"ok","a\\u0000":1},{"id":"bad","x":{"a\\u0000":1,"a":2}}]}') as {
      data: Array<Record<string, unknown>>;
    };
    const [ok, bad] = body.data;
    expect(ok).toEqual({ id: 'ok', a: 1 });
    expect(nulKeyCollisionOf(ok)).toBeUndefined();
    // Both values are still there, the colliding key spelled with a visible escape.
    expect(bad!.x).toEqual({ 'a\\u0000': 1, a: 2 });
    const collision = nulKeyCollisionOf(bad);
    expect(collision).toEqual({ path: ['x'], keys: ['a\u0000', 'a'] });
    expect(describeNulKeyCollision(collision!)).toBe(
      'keys "a\\u0000" and "a" (at x) would merge once NUL characters are removed, which PostgreSQL requires',
    );
    // No NUL left anywhere: JSON writes one as an unescaped \u0000, the visible escape as \\u0000.
    expect(JSON.stringify(body)).not.toMatch(/(?<!\\)\\u0000/);
  });

  it('finds a collision between two NUL keys and at the root of a by-id body', () => {
    const body = parse('{"id":"x","a\\u0000":1,"\\u0000a":2}');
    expect(nulKeyCollisionOf(body)).toEqual({ path: [], keys: ['\u0000a', 'a'] });
  });

  it('walks a body nested far deeper than the call stack', () => {
    const depth = 100_000;
    const text = `${'{"a":'.repeat(depth)}"x\\u0000"${'}'.repeat(depth)}`;
    let node = parse(text) as Record<string, unknown>;
    for (let i = 0; i < depth; i++) node = node.a as Record<string, unknown>;
    expect(node).toBe('x');
  });

  it('leaves scalars and NUL-free values as they are', () => {
    expect(stripNulCharacters('a\u0000b')).toBe('ab');
    expect(stripNulCharacters(3)).toBe(3);
    const plain = { a: [1, 'b'] };
    expect(stripNulCharacters(plain)).toBe(plain);
  });
});
