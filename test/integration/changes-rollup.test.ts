// The daily rollup behind changes_per_day: refreshed when a run closes (succeeded or failed), equal to
// counting `changes` directly, unchanged by retried closes, redelivered pages and second refreshes,
// organizations as observed when a dataset changes hands, exact at once when changes
// land after a refresh (late writers, runs closed elsewhere), and never missing a transaction that a
// refresh raced. Touches Postgres and HTTP.
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyRunCounts, finishRun, openRun } from '../../src/db/runs.ts';
import { KINDS_BY_TYPE } from '../../src/harvest/kinds/index.ts';
import { storePage } from '../../src/harvest/store-page.ts';
import { insertChanges } from '../../src/db/sql/insert-changes.ts';
import { openDb } from '../../src/db/client.ts';
import { until } from '../support/cli-process.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const DIRECT = `select (observed_at at time zone 'UTC')::date::text as day, entity_type, organization_id, op, count(*)::int as changes,
  (count(*) filter (where op = 'update' and cardinality(changed_fields) = 0))::int as stamp_only from changes group by 1, 2, 3, 4`;
const ORDER = 'order by day, entity_type, organization_id nulls first, op';

describe('changes_daily', () => {
  let h: Harness;
  const direct = async () => h.database.sql.unsafe(`${DIRECT} ${ORDER}`);
  const table = async () => h.database.sql.unsafe(`select day::text, entity_type, organization_id, op, changes, stamp_only from changes_daily ${ORDER}`);
  const view = async () => h.database.sql.unsafe(`select day::text, entity_type, organization_id, op, changes, stamp_only from changes_per_day ${ORDER}`);
  const dirty = async () => (await h.database.sql`select day::text from changes_daily_dirty order by 1`).map((r) => r.day as string);

  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 60, organizations: 6, reuses: 8, users: 30 } } });
  });
  afterAll(async () => h?.close());

  it('is counted when a run closes, succeeded or failed, and equals counting changes', async () => {
    expect((await h.sync({ mode: 'full' })).status).toBe('succeeded');
    expect(await dirty()).toEqual([]);
    expect(await table()).toEqual(await direct());
    expect((await table()).length).toBeGreaterThan(3);
    h.fake.catalog.editDataset(h.fake.catalog.visible('datasets')[0]!, { title: 'Titre du tableau de bord' });
    const victims = h.fake.catalog.visible('datasets').slice(1, 20);
    for (const id of victims) h.fake.catalog.deleteDataset(id);
    const failed = await h.sync({ mode: 'incremental' }); // the sweep refuses: the run fails, its edit is recorded
    expect(failed.status).toBe('failed');
    expect(await dirty()).toEqual([]);
    expect(await table()).toEqual(await direct());
    expect((await table()).find((r) => r.entity_type === 'dataset' && r.op === 'update')).toBeDefined();
    for (const id of victims) h.fake.catalog.restoreDataset(id);
    expect((await h.sync({ mode: 'incremental' })).status).toBe('succeeded'); // their stamps moved: updates
    expect(await table()).toEqual(await direct());
  });

  it('is unchanged by a retried close, a second refresh and a sync of an unchanged source', async () => {
    const before = await table();
    const [last] = await h.database.sql`select id::int from sync_runs order by id desc limit 1`;
    const retried = await finishRun(h.database.db, last!.id as number, 'succeeded', { counts: emptyRunCounts(), completeness: {}, countsByType: {} });
    expect(retried.closed).toBe(false);
    expect(await h.database.sql`select refresh_changes_daily() as day`).toEqual([]);
    expect(await table()).toEqual(before);
    const unchanged = await h.sync({ mode: 'incremental' });
    expect(unchanged.status).toBe('succeeded');
    expect(await h.database.sql`select count(*)::int as n from changes where run_id = ${unchanged.runId}`).toEqual([{ n: 0 }]);
    expect(await table()).toEqual(before);
  });

  it('counts a redelivered page once: a retried job writes no second change', async () => {
    const added = h.fake.catalog.addDataset({ title: 'Jeu livré deux fois' }) as { id: string; resources: unknown[] };
    const runId = await openRun(h.database.db, { mode: 'full', kinds: ['datasets'] });
    const ctx = { runId, observedAt: new Date().toISOString(), sourceUrl: '/api/1/datasets/?page=1' };
    await storePage(h.database.sql, KINDS_BY_TYPE.dataset, [h.fake.catalog.get('datasets', added.id)], ctx);
    await storePage(h.database.sql, KINDS_BY_TYPE.dataset, [h.fake.catalog.get('datasets', added.id)], ctx); // redelivered
    await finishRun(h.database.db, runId, 'succeeded', { counts: emptyRunCounts(), completeness: {}, countsByType: {} });
    expect(await h.database.sql`select entity_type, op, count(*)::int as n from changes where run_id = ${runId} group by 1, 2 order by 1`).toEqual([
      { entity_type: 'dataset', op: 'insert', n: 1 },
      ...(added.resources.length ? [{ entity_type: 'resource', op: 'insert', n: added.resources.length }] : []),
    ]);
    expect(await dirty()).toEqual([]);
    expect(await table()).toEqual(await direct());
  });

  it('counts changes written after the refresh at once, and holds them after the next refresh', async () => {
    const [run] = await h.database.sql`select id::int from sync_runs order by id limit 1`;
    const [dataset] = await h.database.sql`select id, organization_id from datasets where deleted_at is null limit 1`;
    // A run closed elsewhere (cancelled, reaped) whose process still wrote: here on a day two days back.
    const past = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await h.database.sql.begin((tx) =>
      insertChanges(tx, run!.id as number, past, [
        { entity_type: 'dataset', entity_id: dataset!.id as string, op: 'update', changed_fields: ['title'], stamp_fields: [], patch: [], old_values: { title: 'a' }, new_values: { title: 'b' } },
      ]),
    );
    expect(await dirty()).toEqual([past.slice(0, 10)]);
    expect(await view()).toEqual(await direct());
    expect(await table()).not.toEqual(await direct());
    expect((await h.database.sql`select refresh_changes_daily()::text as day`).map((r) => r.day)).toEqual([past.slice(0, 10)]);
    expect(await table()).toEqual(await direct());
    expect(await view()).toEqual(await direct());
    const row = (await view()).find((r) => r.day === past.slice(0, 10));
    expect(row).toMatchObject({ entity_type: 'dataset', organization_id: dataset!.organization_id, op: 'update', changes: 1 });
  });

  it("keeps each change's organization as observed when a dataset changes hands", async () => {
    const catalog = h.fake.catalog;
    const orgOf = (id: string) => ((catalog.get('datasets', id) as Record<string, unknown>)['organization'] as { id: string } | null)?.id ?? null;
    const moved = catalog.visible('datasets').find((id) => orgOf(id) !== null)!;
    const from = orgOf(moved)!;
    const target = catalog.visible('datasets').map((id) => (catalog.get('datasets', id) as Record<string, unknown>)['organization']).find((o) => o && (o as { id: string }).id !== from)!;
    const perOrg = async (org: string) =>
      (await h.database.sql`select coalesce(sum(changes), 0)::int as n from changes_per_day where organization_id = ${org} and entity_type = 'dataset'`)[0]!.n as number;
    const before = await perOrg(from);
    catalog.editDataset(moved, { organization: target as never });
    expect((await h.sync({ mode: 'incremental' })).status).toBe('succeeded');
    const rows = await h.database.sql`select op, organization_id from changes where entity_type = 'dataset' and entity_id = ${moved} order by id`;
    expect(rows.at(0)).toEqual({ op: 'insert', organization_id: from });
    expect(rows.at(-1)).toEqual({ op: 'update', organization_id: (target as { id: string }).id });
    expect(await perOrg(from)).toBe(before); // its past changes stay with the organization it had
    expect(await table()).toEqual(await direct());
  });

  it('never loses a transaction that a refresh raced', async () => {
    const [run] = await h.database.sql`select id::int from sync_runs order by id limit 1`;
    const [dataset] = await h.database.sql`select id from datasets where deleted_at is null limit 1`;
    const day = new Date(Date.now() - 5 * 86_400_000).toISOString();
    const row = { entity_type: 'dataset', entity_id: dataset!.id as string, op: 'update' as const, changed_fields: ['title'], stamp_fields: [], patch: [], old_values: {}, new_values: {} };
    await h.database.sql.begin((tx) => insertChanges(tx, run!.id as number, day, [row])); // the day is dirty, committed
    const writer = openDb(h.database.url, { max: 1 });
    const refresher = openDb(h.database.url, { max: 1 });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let wrote!: () => void;
      const written = new Promise<void>((resolve) => (wrote = resolve));
      // A writer that marked the day (its row lock held) and has not committed yet.
      const writing = writer.sql.begin(async (tx) => {
        await insertChanges(tx, run!.id as number, day, [row, row]);
        wrote();
        await held;
      });
      await written;
      const [backend] = await refresher.sql`select pg_backend_pid() as pid`;
      const pid = backend!.pid as number;
      // execute(): postgres.js sends a query when it is awaited, and this one must run while the writer holds.
      const refreshing = refresher.sql`select refresh_changes_daily()::text as day`.execute();
      await until(async () => {
        const [state] = await h.database.sql`select wait_event_type from pg_stat_activity where pid = ${pid}`;
        return state?.wait_event_type === 'Lock' ? true : undefined;
      }, 'the refresh waiting for the writer');
      release();
      await writing;
      expect((await refreshing).map((r) => r.day)).toContain(day.slice(0, 10));
      // The refresh counted the writer's rows: it waited for them instead of clearing the day without them.
      expect(await table()).toEqual(await direct());
      expect((await table()).find((r) => r.day === day.slice(0, 10))).toMatchObject({ changes: 3 });
    } finally {
      await writer.close();
      await refresher.close();
    }
  });
  it('marks every day a statement writes, each statement of a transaction, and nothing for a rolled back savepoint', async () => {
    await h.database.sql`select refresh_changes_daily()`;
    const [run] = await h.database.sql`select id::int from sync_runs order by id limit 1`;
    const day = (n: number) => new Date(Date.UTC(2020, 0, n, 12)).toISOString();
    const insert = (tx: postgres.TransactionSql, days: string[]) =>
      tx`insert into changes (run_id, entity_type, entity_id, op, changed_fields, patch, observed_at)
         select ${run!.id as number}, 'dataset', 'x', 'update', '{title}', '[]', d::timestamptz from unnest(${days}::text[]) as d`;
    await h.database.sql.begin(async (tx) => {
      await insert(tx, [day(3), day(1), day(3), day(2)]);
      await insert(tx, [day(1)]); // a later statement of the transaction marks its day again (cleared note)
      await tx.savepoint(async (sp) => {
        await insert(sp as unknown as postgres.TransactionSql, [day(9)]);
        throw new Error('rolled back');
      }).catch(() => {});
      await insert(tx, [day(4)]);
    });
    expect(await dirty()).toEqual(['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-04']);
    expect(await view()).toEqual(await direct());
    await h.database.sql`select refresh_changes_daily()`;
    expect(await table()).toEqual(await direct());
    expect((await table()).filter((r) => String(r.day).startsWith('2020-01-0')).map((r) => [r.day, r.changes])).toEqual([
      ['2020-01-01', 2],
      ['2020-01-02', 1],
      ['2020-01-03', 2],
      ['2020-01-04', 1],
    ]);
  });
  it('reads only the changes written since the last refresh, not the whole day again', async () => {
    await h.database.sql`select refresh_changes_daily()`;
    const [run] = await h.database.sql`select id::int from sync_runs order by id limit 1`;
    const today = new Date().toISOString();
    const [{ n: ofToday }] = (await h.database.sql`select count(*)::int as n from changes where observed_at >= ${today.slice(0, 10)}::date`) as unknown as [{ n: number }];
    expect(ofToday).toBeGreaterThan(50); // the first load's changes
    const row = { entity_type: 'dataset', entity_id: 'x', op: 'update' as const, changed_fields: ['title'], stamp_fields: [], patch: [], old_values: {}, new_values: {} };
    await h.database.sql.begin((tx) => insertChanges(tx, run!.id as number, today, [row, row]));
    // The refresh's reads of `changes`: the session's statistics not yet reported, before and after it.
    const read = await h.database.sql.begin(async (tx) => {
      // A table this small is cheaper to scan whole: the index is what a mirror's table of millions uses.
      await tx`set local enable_seqscan = off`;
      const tuples = async () =>
        ((await tx`select (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::int as n from pg_stat_xact_user_tables where relname = 'changes'`)[0]?.n ?? 0) as number;
      const before = await tuples();
      await tx`select refresh_changes_daily()`;
      return (await tuples()) - before;
    });
    expect(read).toBeLessThan(10);
    expect(await table()).toEqual(await direct());
  });

  it('never loses a change whose id was drawn before a refresh and committed after it', async () => {
    await h.database.sql`select refresh_changes_daily()`;
    const [run] = await h.database.sql`select id::int from sync_runs order by id limit 1`;
    const day = new Date(Date.now() - 9 * 86_400_000).toISOString();
    const gate = openDb(h.database.url, { max: 1 });
    const slow = openDb(h.database.url, { max: 1 });
    const refresher = openDb(h.database.url, { max: 1 });
    const KEY = 90_417;
    try {
      await gate.sql`select pg_advisory_lock(${KEY})`;
      const [{ pid: slowPid }] = (await slow.sql`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      // One statement inserting two changes: the first row is inserted (its id drawn), the second waits on the gate.
      const slowWrite = slow.sql`insert into changes (run_id, entity_type, entity_id, op, changed_fields, patch, observed_at)
        select ${run!.id as number}, 'dataset', 'slow', 'update', '{title}', '[]', ${day}::timestamptz
          from generate_series(1, 2) as g
         where g = 1 or (select pg_advisory_xact_lock_shared(${KEY}) is not null)`.execute();
      await until(async () => {
        const [state] = await h.database.sql`select wait_event_type from pg_stat_activity where pid = ${slowPid}`;
        return state?.wait_event_type === 'Lock' ? true : undefined;
      }, 'the slow writer waiting mid-statement');
      // A later change, with a higher id, committed while the first one is still uncommitted.
      const row = { entity_type: 'dataset', entity_id: 'fast', op: 'update' as const, changed_fields: ['title'], stamp_fields: [], patch: [], old_values: {}, new_values: {} };
      await h.database.sql.begin((tx) => insertChanges(tx, run!.id as number, day, [row]));
      const [{ pid: refresherPid }] = (await refresher.sql`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      let settled = false;
      const refreshing = refresher.sql`select refresh_changes_daily()::text as day`.execute().finally(() => (settled = true));
      await until(async () => {
        if (settled) return true;
        const [state] = await h.database.sql`select wait_event_type from pg_stat_activity where pid = ${refresherPid}`;
        return state?.wait_event_type === 'Lock' ? true : undefined;
      }, 'the refresh waiting for the slow writer, or done');
      await gate.sql`select pg_advisory_unlock(${KEY})`;
      await slowWrite;
      await refreshing;
      await h.database.sql`select refresh_changes_daily()`;
      // The slow statement's first id is below the fast change's, its second drawn once the gate opened.
      expect((await h.database.sql`select entity_id from changes where observed_at = ${day}::timestamptz order by id`).map((r) => r.entity_id)).toEqual([
        'slow',
        'fast',
        'slow',
      ]);
      expect(await table()).toEqual(await direct());
    } finally {
      await gate.close();
      await slow.close();
      await refresher.close();
    }
  });
  it('lets writers of a marked day go on side by side: none waits for another to commit', async () => {
    const [run] = await h.database.sql`select id::int from sync_runs order by id limit 1`;
    const [dataset] = await h.database.sql`select id from datasets where deleted_at is null limit 1`;
    const day = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const row = { entity_type: 'dataset', entity_id: dataset!.id as string, op: 'update' as const, changed_fields: ['title'], stamp_fields: [], patch: [], old_values: {}, new_values: {} };
    await h.database.sql.begin((tx) => insertChanges(tx, run!.id as number, day, [row])); // the day is marked, committed
    const first = openDb(h.database.url, { max: 1 });
    const second = openDb(h.database.url, { max: 1 });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let wrote!: () => void;
      const written = new Promise<void>((resolve) => (wrote = resolve));
      const holding = first.sql.begin(async (tx) => {
        await insertChanges(tx, run!.id as number, day, [row]);
        wrote();
        await held;
      });
      await written;
      // A wait for the first writer's locks would fail here instead of hanging.
      await second.sql.begin(async (tx) => {
        await tx`set local lock_timeout = '3s'`;
        await insertChanges(tx, run!.id as number, day, [row, row]);
      });
      release();
      await holding;
      expect(await dirty()).toContain(day.slice(0, 10));
      expect(await view()).toEqual(await direct());
    } finally {
      await first.close();
      await second.close();
    }
  });
});
