// Bad data and partial failures never stop a run nor lose anything: odd values, a broken entity,
// small organizations, gone organizations, partial full runs. Real PostgreSQL and the fake API.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harvestOrganization } from '../../src/harvest/harvest-org.ts';
import { KINDS_BY_TYPE, type EntityKind } from '../../src/harvest/kinds/index.ts';
import { storePage } from '../../src/harvest/store-page.ts';
import { changesOf, startHarness, type Harness } from '../support/harness.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are written back as the fake's JSON type
type Obj = Record<string, any> & { id: string; resources: Obj[] };

describe('values PostgreSQL cannot take', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 40, organizations: 5, reuses: 6, users: 20 } } });
  });
  afterAll(async () => h?.close());

  it('rejects or cleans them record by record and stores the rest', async () => {
    const { catalog } = h.fake;
    const [a, b, c, d] = catalog.visible('datasets') as string[];
    const withFraction = catalog.get('datasets', a!) as Obj;
    catalog.setRaw('datasets', a!, { ...withFraction, resources: [{ ...withFraction.resources[0]!, filesize: 1.5 }, ...withFraction.resources.slice(1)] });
    catalog.setRaw('datasets', b!, { ...(catalog.get('datasets', b!) as Obj), created_at: '0000-01-01T00:00:00' });
    catalog.setRaw('datasets', c!, { ...(catalog.get('datasets', c!) as Obj), description: 'nul\u0000byte' });
    catalog.setRaw('datasets', d!, { ...(catalog.get('datasets', d!) as Obj), temporal_coverage: { start: '0000-01-01', end: null } });
    const outcome = await h.sync({ mode: 'full' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('succeeded');
    const rejected = await h.database.sql`select entity_type, entity_id, reason from rejected_records order by entity_id`;
    expect(rejected.map((r) => `${r.entity_type}:${r.entity_id}`).sort()).toEqual(
      [`resource:${withFraction.resources[0]!.id}`, `dataset:${b}`, `dataset:${d}`].sort(),
    );
    const [cleaned] = await h.database.sql`select raw->>'description' as description from datasets where id = ${c!}`;
    expect(cleaned!.description).toBe('nulbyte');
    // The dataset whose resource was rejected is stored, its other resources too, none swept.
    const stored = await h.database.sql`select count(*)::int as n from resources where dataset_id = ${a!} and deleted_at is null`;
    expect(stored[0]!.n).toBe(withFraction.resources.length - 1);
    const visible = h.fake.catalog.visible('datasets').length;
    const [count] = await h.database.sql`select count(*)::int as n from datasets`;
    expect(count!.n).toBe(visible - 2);
  });

  it('isolates the one record PostgreSQL refuses when the schema let it through', async () => {
    // A kind whose normalizer puts text into a timestamptz column: PostgreSQL refuses that one row.
    const base = KINDS_BY_TYPE.dataset;
    const careless: EntityKind = {
      ...base,
      schema: z.looseObject({ id: z.string() }) as EntityKind['schema'],
      normalize: (record) => {
        const entity = base.normalize(base.schema.parse(record));
        return (record as { id: string }).id === 'bad' ? { ...entity, columns: { ...entity.columns, created_at: 'not a time' } } : entity;
      },
    };
    const good = h.fake.catalog.get('datasets', h.fake.catalog.visible('datasets')[5]!) as Obj;
    const records = [{ ...good, id: 'ok-1', resources: [] }, { ...good, id: 'bad', resources: [] }, { ...good, id: 'ok-2', resources: [] }];
    const result = await storePage(h.database.sql, careless, records, { runId: 999, observedAt: new Date().toISOString(), sourceUrl: 'test' });
    expect(result.counts.dataset).toMatchObject({ inserted: 2, rejected: 1 });
    const [rejected] = await h.database.sql`select entity_id, reason from rejected_records where run_id = 999`;
    expect(rejected).toMatchObject({ entity_id: 'bad', reason: expect.stringContaining('PostgreSQL refused a value') });
    expect((await h.database.sql`select id from datasets where id in ('ok-1', 'ok-2', 'bad') order by id`).map((r) => r.id)).toEqual(['ok-1', 'ok-2']);
  });
});

describe('one entity that keeps failing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 40, organizations: 5, reuses: 30, users: 20 } } });
    expect((await h.sync({ mode: 'full' })).status).toBe('succeeded');
  });
  afterAll(async () => h?.close());

  it('fails the run with its name but every other change is recorded, deletions included', async () => {
    const { catalog } = h.fake;
    const [broken, edited] = catalog.visible('datasets') as string[];
    catalog.editDataset(broken!, { title: 'jamais lu' });
    catalog.editDataset(edited!, { title: 'lu' });
    const reuse = catalog.visible('reuses')[0]!;
    catalog.deleteReuse(reuse);
    await h.fake.setFaults({ match: new RegExp(`/api/1/datasets/${broken}/`), failTimes: 1_000, errorStatuses: [500] });
    const outcome = await h.sync();
    await h.fake.clearFaults();
    expect(outcome).toMatchObject({ mode: 'incremental', status: 'failed' });
    expect(outcome.error).toMatch(new RegExp(`1 datasets could not be fetched by id \\(first: ${broken}`));
    const changes = (await changesOf(h.database.sql, outcome.runId)).map((c) => `${c.entity_type}:${c.entity_id}:${c.op}`);
    expect(changes).toContain(`dataset:${edited}:update`);
    expect(changes).toContain(`reuse:${reuse}:delete`);
    expect(changes).not.toContain(`dataset:${broken}:update`);
    // Nothing lost: the next run asks again, since the stamp still differs.
    const next = await h.sync();
    expect(next.status).toBe('succeeded');
    expect((await changesOf(h.database.sql, next.runId)).map((c) => `${c.entity_id}:${c.op}`)).toEqual([`${broken}:update`]);
  });
});

describe('organizations', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { seed: 3, counts: { datasets: 200, organizations: 40, reuses: 10, users: 30 } } });
    expect((await h.sync({ mode: 'full' })).status).toBe('succeeded');
  });
  afterAll(async () => h?.close());

  it('sweeps the only dataset of a small organization: the cap is a share of the mirror', async () => {
    const [small] = await h.database.sql`select organization_id as id from datasets where deleted_at is null and organization_id is not null
      group by 1 having count(*) = 1 order by 1 limit 1`;
    const [only] = await h.database.sql`select id from datasets where organization_id = ${small!.id as string} and deleted_at is null`;
    h.fake.catalog.deleteDataset(only!.id as string);
    const outcome = await harvestOrganization(h.ctx, small!.id as string);
    expect(outcome.error).toBeUndefined();
    const [row] = await h.database.sql`select deletion_reason from datasets where id = ${only!.id as string}`;
    expect(row!.deletion_reason).toBe('deleted');
  });

  it('records the deletion of an organization gone from data.gouv.fr', async () => {
    const org = h.fake.catalog.visible('organizations')[3]!;
    h.fake.catalog.purgeOrganization(org);
    const outcome = await harvestOrganization(h.ctx, org);
    expect(outcome.status).toBe('succeeded');
    const [row] = await h.database.sql`select deletion_reason from organizations where id = ${org}`;
    expect(row!.deletion_reason).toBe('not_found');
    expect(await h.database.sql`select * from organization_members where organization_id = ${org}`).toEqual([]);
  });
});

describe('mode selection', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 20, organizations: 3, reuses: 3, users: 10 } } });
  });
  afterAll(async () => h?.close());

  it('stays full for the kinds no full run has covered yet', async () => {
    expect((await h.sync({ mode: 'full', kinds: ['organizations'] })).mode).toBe('full');
    expect((await h.sync({ kinds: ['organizations'] })).mode).toBe('incremental');
    expect((await h.sync({ kinds: ['organizations', 'datasets'] })).mode).toBe('full');
    expect((await h.sync({ kinds: ['datasets'] })).mode).toBe('incremental');
  });
});
