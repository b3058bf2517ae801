// A first load refreshes the planner's statistics of the tables it filled, for the columns the
// mirror's statements look rows up by (indexed ones, tombstone and archive stamps), and leaves the
// others (an entity's raw, its display text) to autovacuum. Touches Postgres and HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

describe('statistics after a first load', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 40, organizations: 5, reuses: 6, users: 20 } } });
  });
  afterAll(async () => h?.close());

  it('are taken of the looked-up columns of the loaded tables, and of those only', async () => {
    const analyzed = async (table: string) =>
      (await h.database.sql`select attname from pg_stats where schemaname = 'public' and tablename = ${table} order by attname`).map((r) => r.attname as string);
    expect(await analyzed('resources')).toEqual([]);
    expect((await h.sync({ mode: 'full' })).status).toBe('succeeded');
    const [resources] = await h.database.sql`select reltuples::int as n, (select count(*)::int from resources) as rows from pg_class where relname = 'resources'`;
    expect(resources!.n).toBe(resources!.rows); // the planner knows the table is no longer empty
    expect(resources!.rows).toBeGreaterThan(0);
    expect(await analyzed('resources')).toEqual(expect.arrayContaining(['dataset_id', 'deleted_at', 'format', 'id']));
    expect(await analyzed('datasets')).toEqual(expect.arrayContaining(['archived_at', 'deleted_at', 'id', 'organization_id']));
    for (const table of ['datasets', 'resources', 'organizations', 'reuses']) {
      const columns = await analyzed(table);
      expect(columns, table).not.toContain('raw');
      expect(columns, table).not.toContain('title');
    }
    expect(await analyzed('run_seen_ids')).toEqual(['id', 'kind', 'run_id']);
  });
});
