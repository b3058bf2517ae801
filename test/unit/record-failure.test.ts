import { describe, expect, it } from 'vitest';
import { depthOf, describeRecordFailure, MAX_PAYLOAD_DEPTH, storablePayload } from '../../src/harvest/record-failure.ts';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('record failures', () => {
  it('measures the nesting of a value without recursion', () => {
    expect(depthOf('x')).toBe(0);
    expect(depthOf({})).toBe(1);
    expect(depthOf({ a: [1, { b: null }] })).toBe(3);
    expect(depthOf(nested(200_000))).toBe(200_000);
  });

  it('names the depth of a record that overflows the stack', () => {
    const record = nested(5_000);
    let overflow: unknown;
    try {
      JSON.stringify(nested(100_000));
    } catch (error) {
      overflow = error;
    }
    expect(overflow).toBeInstanceOf(RangeError);
    expect(describeRecordFailure('hashing', overflow, record)).toMatch(
      /^hashing failed: the record is nested 5000 levels deep, too deep to process \(Maximum call stack size exceeded\)$/,
    );
    expect(describeRecordFailure('storing', new TypeError('bad'), record)).toBe('storing failed: TypeError: bad');
  });

  it('keeps a shallow payload as it is and cuts a deep one so that it can be stored', () => {
    const shallow = { id: 'x', a: { b: 1 } };
    expect(storablePayload(shallow)).toBe(shallow);
    expect(storablePayload(undefined)).toBeNull();
    const cut = storablePayload({ id: 'deep', x: nested(5_000) });
    expect(depthOf(cut)).toBe(MAX_PAYLOAD_DEPTH);
    expect(JSON.stringify(cut)).toContain(`"[cut: nested deeper than ${MAX_PAYLOAD_DEPTH} levels]"`);
    expect((cut as { id: string }).id).toBe('deep');
  });
});
