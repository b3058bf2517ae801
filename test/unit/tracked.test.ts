import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, computeChange, hashBytes, hashCanonical } from '../../src/harvest/fingerprint.ts';
import { sortKeys, trackedEntity } from '../../src/harvest/tracked.ts';
import { readFixture } from '../support/fixtures.ts';

describe('trackedEntity', () => {
  const dataset = readFixture('dataset-item.json');

  it('drops metrics, permissions and quality and reduces references to ids', () => {
    const tracked = trackedEntity({ ...dataset, permissions: { edit: false } });
    expect(tracked).not.toHaveProperty('metrics');
    expect(tracked).not.toHaveProperty('permissions');
    expect(tracked).not.toHaveProperty('quality');
    expect(tracked.organization).toBe((dataset.organization as { id: string }).id);
    expect(tracked.title).toBe(dataset.title);
  });

  it('ignores crawler extras of resources but keeps other extras', () => {
    const [resource] = dataset.resources as Array<Record<string, unknown>>;
    const tracked = trackedEntity(resource!);
    const extras = tracked.extras as Record<string, unknown>;
    expect(Object.keys(extras).some((k) => k.startsWith('check:') || k.startsWith('analysis:'))).toBe(false);
    expect(extras['csv-export:model']).toBe('dataset');
  });

  it('gives the same hash when only volatile fields or a referenced name change', () => {
    const renamed = {
      ...dataset,
      metrics: { views: 1 },
      organization: { ...(dataset.organization as object), name: 'Another name' },
    };
    expect(hashCanonical(trackedEntity(renamed))).toBe(hashCanonical(trackedEntity(dataset)));
  });

  it('gives another hash when the referenced id changes', () => {
    const moved = { ...dataset, organization: { ...(dataset.organization as object), id: 'ffffffffffffffffffffffff' } };
    expect(hashCanonical(trackedEntity(moved))).not.toBe(hashCanonical(trackedEntity(dataset)));
  });
});

describe('computeChange', () => {
  it('lists the top-level fields an RFC 6902 patch touches', () => {
    const change = computeChange({ title: 'a', tags: ['x'], extras: { 'a/b': 1 } }, { title: 'b', tags: ['x', 'y'], extras: { 'a/b': 2 } });
    expect(change.changed_fields).toEqual(['extras', 'tags', 'title']);
    expect(change.patch).toContainEqual({ op: 'replace', path: '/title', value: 'b' });
    expect(change.patch).toContainEqual({ op: 'replace', path: '/extras/a~1b', value: 2 });
  });
  it('is empty between equal objects whatever the key order', () => {
    expect(computeChange({ a: 1, b: 2 }, { b: 2, a: 1 }).patch).toEqual([]);
    expect(hashCanonical(trackedEntity({ a: 1, b: 2 }))).toBe(hashCanonical(trackedEntity({ b: 2, a: 1 })));
  });
});

describe('the canonical hash', () => {
  it('is the SHA-1 of the JSON text in UTF-8, as stored rows have it (text outside Latin-1 and a lone surrogate included)', () => {
    for (const object of [
      trackedEntity(readFixture<Record<string, unknown>>('dataset-item.json')),
      { title: 'Qualité de l’air – €, 東京, 🚲', a: [1, 2.5, null, true] },
      { broken: 'a\ud800b', tail: '\udc00' },
    ]) {
      const stringHash = createHash('sha1').update(JSON.stringify(object)).digest('base64url');
      expect(hashCanonical(object)).toBe(stringHash);
      expect(hashBytes(canonicalBytes(object))).toBe(stringHash);
    }
  });
});

describe('canonical tracked objects', () => {
  it('hash the same whatever the key order the API sent', async () => {
    const a = trackedEntity({ b: 1, a: { y: [1, { d: 1, c: 2 }], x: null }, extras: { z: 1, 'check:date': 'x', k: 2 } });
    const b = trackedEntity({ a: { x: null, y: [1, { c: 2, d: 1 }] }, extras: { k: 2, z: 1 }, b: 1 });
    expect(hashCanonical(a)).toBe(hashCanonical(b));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b)); // the same canonical text, not just the same hash
    expect(hashCanonical(trackedEntity({ b: 2, a: { x: null, y: [1, { c: 2, d: 1 }] } }))).not.toBe(hashCanonical(b));
  });
});

describe('trackedEntity with odd keys', () => {
  it('keeps a __proto__ key as a key at every level', () => {
    const raw = JSON.parse('{"id":"x","n":{"__proto__":{"a":1}},"__proto__":[2]}') as Record<string, unknown>;
    const tracked = trackedEntity(raw);
    expect(JSON.stringify(tracked)).toBe('{"__proto__":[2],"id":"x","n":{"__proto__":{"a":1}}}');
    expect(Object.getPrototypeOf(tracked.n)).toBe(Object.prototype);
    expect(computeChange(tracked, trackedEntity({ ...raw, n: {} })).changed_fields).toEqual(['n']);
  });
});

describe('trackedEntity with an added key (a child under its parent)', () => {
  it('sets the key in its sorted place, over the entity’s own, so the text stays canonical', () => {
    const raw = { url: 'u', title: 't', created_at: 'c', metrics: { views: 3 } };
    const tracked = trackedEntity(raw, undefined, { key: 'dataset_id', value: 'd1' });
    expect(JSON.stringify(tracked)).toBe('{"created_at":"c","dataset_id":"d1","title":"t","url":"u"}');
    const own = trackedEntity({ ...raw, dataset_id: 'stale' }, undefined, { key: 'dataset_id', value: 'd2' });
    expect(JSON.stringify(own)).toBe('{"created_at":"c","dataset_id":"d2","title":"t","url":"u"}');
    // Nested objects get no added key; without one the entity is tracked as before.
    expect(trackedEntity({ a: { b: 1 } }, undefined, { key: 'z', value: 1 })).toEqual({ a: { b: 1 }, z: 1 });
    expect(JSON.stringify(trackedEntity(raw))).toBe('{"created_at":"c","title":"t","url":"u"}');
  });
});

describe('sortKeys', () => {
  // A seeded generator: the cases are the same at every run.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const alphabet = ['a', 'b', 'Z', '_', '-', '0', 'é', 'ÿ', '\u{1F600}', '\uFFFD', ':', 'analysis:', 'check:'];
  const key = () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');

  it('orders keys as the default sort does, short and long arrays, repeats included', () => {
    for (const length of [0, 1, 2, 3, 10, 30, 48, 49, 200]) {
      for (let round = 0; round < 20; round++) {
        const keys = Array.from({ length }, key);
        const expected = [...keys].sort();
        const sorted = sortKeys(keys);
        expect(sorted).toEqual(expected);
        expect(sorted).toBe(keys); // in place
      }
    }
  });
});
