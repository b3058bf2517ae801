// A record's raw is sent to PostgreSQL as the text the API sent (its bytes in the body, a dataset's
// resources cut out with their key and comma), not serialized again: numbers keep their digits, and
// the stored object is the one parsed. Bodies whose bytes are not the parsed text (NUL characters,
// invalid UTF-8) and records whose raw is rewritten fall back to the serialization. Real PostgreSQL;
// bodies read as the HTTP client reads them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpretResponse } from '../../src/api/interpret-response.ts';
import { rawTextOf } from '../../src/api/record-spans.ts';
import { KINDS_BY_TYPE } from '../../src/harvest/kinds/index.ts';
import { storePage } from '../../src/harvest/store-page.ts';
import { startHarness, type Harness } from '../support/harness.ts';

/** A listing page as the client reads it from these bytes. */
function page(text: string | Uint8Array): Record<string, unknown>[] {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const res = interpretResponse({ status: 200, headers: {}, bytes }, { url: 'http://api.test/api/1/datasets/', recordHashes: true, redact: (t) => t, maxRetryAfterMs: 0 });
  return (res.body as { data: Record<string, unknown>[] }).data;
}

const RESOURCE = (id: string) => `{"id": "${id}", "title": "Fichier ${id}", "url": "https://example.test/${id}.csv", "filesize": 2048, "format": "csv", "extras": {"ratio": 1.50}}`;

/** A dataset's JSON with `resources` at `at` among its other members (0: first). */
function dataset(id: string, at: number, extra = ''): string {
  const members = [`"id": "${id}"`, `"title": "Jeu ${id} – été"`, `"slug": "jeu-${id}"`, `"metrics": {"views": 12345678901234567890, "score": 2.50}`];
  if (extra) members.push(extra);
  members.splice(at, 0, `"resources" : [ ${RESOURCE(`${id}-r1`)}, ${RESOURCE(`${id}-r2`)} ]`);
  return `{ ${members.join(' ,\n ')} }`;
}

describe('raw as received', () => {
  let h: Harness;
  const ctx = () => ({ runId: 999, observedAt: new Date().toISOString(), sourceUrl: 'test' });
  const stored = async (id: string) =>
    (await h.database.sql`select raw::text as text, raw from datasets where id = ${id}`)[0] as { text: string; raw: Record<string, unknown> };
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 2, organizations: 1, reuses: 1, users: 2 } } });
  });
  afterAll(async () => h?.close());

  it('sends the text received, with the resources cut out wherever they are', async () => {
    const body = `{"data": [${dataset('a1', 0)}, ${dataset('a2', 2)}, ${dataset('a3', 4)}], "total": 3, "page": 1, "page_size": 3, "next_page": null}`;
    const records = page(body);
    for (const record of records) expect(rawTextOf(record, ['resources'])).toBeDefined();
    await storePage(h.database.sql, KINDS_BY_TYPE.dataset, records, ctx());
    for (const record of records) {
      const { text, raw } = await stored(record['id'] as string);
      // The API's digits, where a serialization of the parsed record would say 1.5 and 12345678901234567000.
      expect(text).toContain('"score": 2.50');
      expect(text).toContain('"views": 12345678901234567890');
      const { resources: _, ...expected } = record;
      expect(raw).toEqual(expected);
    }
    const resources = await h.database.sql`select id, raw::text as text from resources where dataset_id = 'a2' order by id`;
    expect(resources.map((r) => r.id)).toEqual(['a2-r1', 'a2-r2']);
    expect(resources[0]!.text).toContain(`"ratio": 1.50`);
  });

  it('serializes the parsed record where its text is not what was parsed', async () => {
    // A NUL character is dropped when parsing; invalid UTF-8 is replaced. Their serialization is stored.
    const withNul = page(`{"data": [${dataset('b1', 1, '"note": "a\\u0000b"')}], "total": 1, "page": 1, "page_size": 1, "next_page": null}`);
    const prefix = new TextEncoder().encode(`{"data": [${dataset('b2', 1, '"note": "')}`);
    const invalid = new Uint8Array([...prefix.subarray(0, prefix.length - ' }'.length), 0xff, ...new TextEncoder().encode(`"}], "total": 1, "page": 1, "page_size": 1, "next_page": null}`)]);
    const withInvalid = page(invalid);
    // A repeated key: parsing keeps the last one, which the text alone would not say once cut.
    const repeated = page(`{"data": [{"id": "b3", "title": "t", "resources": null, "resources": [${RESOURCE('b3-r1')}]}], "total": 1, "page": 1, "page_size": 1, "next_page": null}`);
    for (const records of [withNul, withInvalid, repeated]) expect(rawTextOf(records[0], ['resources'])).toBeUndefined();
    for (const records of [withNul, withInvalid, repeated]) await storePage(h.database.sql, KINDS_BY_TYPE.dataset, records, ctx());
    expect((await stored('b1')).raw['note']).toBe('ab');
    expect((await stored('b1')).text).toContain('"score": 2.5,');
    expect((await stored('b2')).raw['note']).toBe('\ufffd');
    expect(Object.keys((await stored('b3')).raw)).toEqual(['id', 'title']);
  });

  it('keeps admin-only values it had through the serialization, not the text without them', async () => {
    const kind = KINDS_BY_TYPE.user;
    const user = (email: string | null) =>
      page(`{"data": [{"id": "u1", "slug": "u1", "first_name": "Ana", "last_name": "Lima", "email": ${email === null ? 'null' : `"${email}"`}, "since": "2024-01-01T00:00:00+00:00", "metrics": {"followers": 1.50}}], "total": 1, "page": 1, "page_size": 1, "next_page": null}`);
    await storePage(h.database.sql, kind, user('ana@example.test'), ctx());
    const blind = user(null);
    await storePage(h.database.sql, kind, blind, ctx());
    const [row] = await h.database.sql`select raw from users where id = 'u1'`;
    expect(kind.adminOnlyKeys).toContain('email');
    expect((row!.raw as Record<string, unknown>)['email']).toBe('ana@example.test');
  });
});
