// Unit tests of record spans: each record's bytes found in its body, and the hash taken of them (pure).
import { describe, expect, it } from 'vitest';
import { hashRecordSpans, recordSpans, spanHashOf, type RecordSpan } from '../../src/api/record-spans.ts';
import { recordHash } from '../../src/harvest/fingerprint.ts';
import '../../src/harvest/kinds/index.ts'; // sets how bodies' records are hashed

const encoder = new TextEncoder();
const decoder = new TextDecoder();

let spans = new Map<object, RecordSpan>();

/** A body as the HTTP client reads it: parsed, its records hashed from their bytes; `spans` says where they were. */
function parsed(text: string): { bytes: Uint8Array; body: Record<string, unknown> } {
  const bytes = encoder.encode(text);
  const body = JSON.parse(text) as Record<string, unknown>;
  spans = recordSpans(bytes, body);
  hashRecordSpans(bytes, body);
  return { bytes, body };
}

const spanOf = (record: unknown) => spans.get(record as object);

const textOf = (record: unknown): string => {
  const span = spanOf(record)!;
  return decoder.decode(span.bytes.subarray(span.start, span.end));
};

const page = (datasets: unknown[], spacing = 0) => JSON.stringify({ data: datasets, next_page: null, page: 1, page_size: 20, total: datasets.length }, null, spacing);
const dataset = (id: string, title: string, resources: unknown[]) => ({ id, title, tags: ['a', 'b'], extras: { 'check:date': '2026-01-01' }, resources });

describe('record spans', () => {
  it('find each listed record and each of its array members\' objects, whatever the spacing and the strings hold', () => {
    const tricky = 'quote " backslash \\ brace } bracket ] unicode é 日本 \u2028 escaped \\" end';
    const datasets = [dataset('d1', tricky, [{ id: 'r1', title: tricky }, { id: 'r2', title: '[]{}' }]), dataset('d2', 'x', []), { id: 'd3', '10': 'integer key', resources: null }];
    for (const spacing of [0, 2]) {
      const { body } = parsed(page(datasets, spacing));
      const data = body['data'] as Array<Record<string, unknown>>;
      for (const record of data) expect(JSON.parse(textOf(record))).toEqual(record);
      const resources = data[0]!['resources'] as unknown[];
      for (const resource of resources) expect(JSON.parse(textOf(resource))).toEqual(resource);
      // tags hold strings: only objects get spans
      expect(spanOf(data[0]!['tags'])).toBeUndefined();
    }
  });

  it('take an item body as the record itself', () => {
    const { body } = parsed(JSON.stringify(dataset('d1', 't', [{ id: 'r1' }])));
    expect(JSON.parse(textOf(body))).toEqual(body);
    expect(JSON.parse(textOf((body['resources'] as unknown[])[0]))).toEqual({ id: 'r1' });
  });

  it('follow the key parsing keeps when a key repeats', () => {
    const { body } = parsed('{"data": [{"id": "a"}], "data": [{"id": "b", "resources": [{"id": "r0"}], "resources": [{"id": "r1"}]}]}');
    const record = (body['data'] as unknown[])[0] as Record<string, unknown>;
    expect(record['id']).toBe('b');
    expect(textOf((record['resources'] as unknown[])[0])).toBe('{"id": "r1"}');
  });

  it('give no span for a body the scan does not follow, and never throw', () => {
    const deep = `{"id": "x", "v": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const { body } = parsed(deep);
    expect(textOf(body)).toBe(deep);
    const cases: Array<[string, { data: unknown[] }]> = [
      ['{"data": [{"id": 1}]}', { data: [{ id: 1 }, { id: 2 }] }], // lengths differ
      ['{"data": [{"id": 1}', { data: [{ id: 1 }] }], // truncated
      ['{"data": [{"id": 1} {"id": 2}]}', { data: [{ id: 1 }, { id: 2 }] }], // no comma
    ];
    for (const [text, body] of cases) {
      expect(() => hashRecordSpans(encoder.encode(text), body)).not.toThrow();
      expect(recordSpans(encoder.encode(text), body).size).toBe(0);
      for (const record of body.data) expect(spanHashOf(record)).toBeUndefined();
    }
    expect(() => hashRecordSpans(encoder.encode('[1, 2]'), [1, 2])).not.toThrow();
  });
});

describe('record hash from spans', () => {
  const hashes = (text: string) => {
    const { body } = parsed(text);
    const record = (body['data'] as Array<Record<string, unknown>>)[0]!;
    return {
      dataset: recordHash(record, null, ['resources']),
      resources: (record['resources'] as unknown[]).map((r) => recordHash(r, String(record['id']))),
    };
  };

  it('is equal for equal bytes, and moves with any byte of the record but its resources', () => {
    const base = hashes(page([dataset('d1', 't', [{ id: 'r1', title: 'a' }])]));
    expect(hashes(page([dataset('d1', 't', [{ id: 'r1', title: 'a' }])]))).toEqual(base);
    const resourceEdited = hashes(page([dataset('d1', 't', [{ id: 'r1', title: 'b' }])]));
    expect(resourceEdited.dataset).toBe(base.dataset);
    expect(resourceEdited.resources[0]).not.toBe(base.resources[0]);
    expect(hashes(page([dataset('d1', 'u', [{ id: 'r1', title: 'a' }])])).dataset).not.toBe(base.dataset);
    expect(hashes(page([{ ...dataset('d1', 't', [{ id: 'r1', title: 'a' }]), extras: { 'check:date': '2026-01-02' } }])).dataset).not.toBe(base.dataset);
  });

  it('differs from the serialization hash of the same record, and for the same child under another parent', () => {
    const { body } = parsed(page([dataset('d1', 't', [{ id: 'r1' }])]));
    const record = (body['data'] as Array<Record<string, unknown>>)[0]!;
    const copy = JSON.parse(JSON.stringify(record)) as Record<string, unknown>; // no span
    expect(recordHash(copy, null, ['resources'])).not.toBe(recordHash(record, null, ['resources']));
    const childOf = () => ((parsed(page([dataset('d1', 't', [{ id: 'r1' }])])).body['data'] as Array<Record<string, unknown>>)[0]!['resources'] as unknown[])[0];
    expect(recordHash(childOf(), 'd1')).not.toBe(recordHash(childOf(), 'd2'));
  });

  it('is taken as the body is read, and the same when taken again (a batch run again)', () => {
    const { body } = parsed(page([dataset('d1', 't', [{ id: 'r1' }])]));
    const record = (body['data'] as Array<Record<string, unknown>>)[0]!;
    const known = spanHashOf(record);
    expect(known).toMatchObject({ parentId: null, omit: 'resources' });
    expect(recordHash(record, null, ['resources'])).toBe(known!.hash);
    expect(recordHash(record, null, ['resources'])).toBe(known!.hash);
    expect(spanHashOf((record['resources'] as unknown[])[0])).toMatchObject({ parentId: 'd1', omit: '' });
    // asked with another parent or other omitted fields than the body was hashed with: the serialization's hash
    expect(recordHash(record, null, [])).not.toBe(known!.hash);
  });
});
