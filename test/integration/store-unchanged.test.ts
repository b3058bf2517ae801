// A record equal to its stored row (same hash of the record as received) is not validated again;
// anything that moved is, parents and children apart. Real PostgreSQL; records from the fake's catalog.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS_BY_TYPE, type EntityKind } from '../../src/harvest/kinds/index.ts';
import { storePage, type PageContext } from '../../src/harvest/store-page.ts';
import { startHarness, type Harness } from '../support/harness.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are written back as the fake's JSON type
type Obj = Record<string, any> & { id: string; resources: Obj[] };

/** The dataset kind, with its resources, whose schemas count the records they check. */
function countingDatasetKind(): { kind: EntityKind; checked: { dataset: string[]; resource: string[] } } {
  const checked = { dataset: [] as string[], resource: [] as string[] };
  const counting = (base: EntityKind, into: string[]): EntityKind['schema'] =>
    ({
      safeParse: (record: unknown) => {
        into.push(String((record as { id?: unknown }).id));
        return base.schema.safeParse(record);
      },
    }) as EntityKind['schema'];
  const base = KINDS_BY_TYPE.dataset;
  const resource = base.children[0]!.kind;
  const kind: EntityKind = {
    ...base,
    schema: counting(base, checked.dataset),
    children: [{ ...base.children[0]!, kind: { ...resource, schema: counting(resource, checked.resource) } }],
  };
  return { kind, checked };
}

describe('records equal to their stored rows', () => {
  let h: Harness;
  let records: Obj[];
  const ctx = (): PageContext => ({ runId: 999, observedAt: new Date().toISOString(), sourceUrl: 'test' });
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 12, organizations: 3, reuses: 2, users: 10 } } });
    records = h.fake.catalog.visible('datasets').slice(0, 6).map((id) => structuredClone(h.fake.catalog.get('datasets', id)) as Obj);
  });
  afterAll(async () => h?.close());

  it('validates every record of a first load, and none of the same page stored again', async () => {
    const resources = records.flatMap((r) => r.resources.map((x) => x.id));
    expect(resources.length).toBeGreaterThan(0);
    const first = countingDatasetKind();
    const stored = await storePage(h.database.sql, first.kind, structuredClone(records), ctx());
    expect(stored.counts.dataset).toMatchObject({ inserted: 6 });
    expect(first.checked.dataset.sort()).toEqual(records.map((r) => r.id).sort());
    expect(first.checked.resource.sort()).toEqual([...resources].sort());

    const again = countingDatasetKind();
    const result = await storePage(h.database.sql, again.kind, structuredClone(records), ctx());
    expect(again.checked).toEqual({ dataset: [], resource: [] });
    expect(result.counts.dataset).toMatchObject({ seen: 6, unchanged: 6, inserted: 0, updated: 0 });
    expect(result.counts.resource).toMatchObject({ seen: resources.length, unchanged: resources.length, updated: 0 });
    // What the skipped records still give: their owners for the users pass.
    expect(result.userIds.sort()).toEqual([...new Set(records.flatMap((r) => (r.owner?.id ? [r.owner.id as string] : [])))].sort());
  });

  it('validates only what moved: an edited dataset without its resources, an edited resource without its dataset', async () => {
    const edited = structuredClone(records);
    edited[0]!.title = `${edited[0]!.title} (edited)`;
    const withResource = edited.find((r, i) => i > 0 && r.resources.length > 0)!;
    withResource.resources[0]!.title = 'a new title';
    const { kind, checked } = countingDatasetKind();
    const result = await storePage(h.database.sql, kind, edited, ctx());
    expect(checked).toEqual({ dataset: [edited[0]!.id], resource: [withResource.resources[0]!.id] });
    expect(result.counts.dataset).toMatchObject({ updated: 1, unchanged: 5 });
    expect(result.counts.resource).toMatchObject({ updated: 1 });
    records = edited;
  });

  it('rejects a known record that no longer validates, and validates a tombstoned one that comes back', async () => {
    const broken = structuredClone(records);
    broken[1]!.created_at = 'not a date';
    const { kind, checked } = countingDatasetKind();
    const result = await storePage(h.database.sql, kind, broken, ctx());
    expect(checked.dataset).toEqual([broken[1]!.id]);
    expect(result.counts.dataset).toMatchObject({ rejected: 1, unchanged: 5 });

    await h.database.sql`update datasets set deleted_at = now(), deletion_reason = 'deleted' where id = ${records[2]!.id}`;
    const back = countingDatasetKind();
    const restored = await storePage(h.database.sql, back.kind, structuredClone(records), ctx());
    // The rejected record left its stored row as it was: sent again as before, it is not checked.
    expect(back.checked.dataset).toEqual([records[2]!.id]);
    expect(restored.counts.dataset).toMatchObject({ restored: 1, unchanged: 5 });
  });
});
