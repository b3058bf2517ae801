// The `asof` scenario: entity_as_of for one dataset (many picked at random, median and p95) and
// datasets_as_of over every dataset, against reading the live table's raw JSON; on the full sync's
// database, after a 1% churn and an incremental sync (its own when `incremental` did not run).
// Touches Postgres and HTTP.
import postgres from 'postgres';
import { churnSince, ensureFullSync, lineBase, type CatalogState } from './catalog.ts';
import { waitForQuietMachine } from './cpu.ts';
import { timedSync } from './mirror.ts';
import { round, say, type Line } from './report.ts';

/** entity_as_of calls measured (distinct datasets, half of them changed since their insert). */
const ENTITY_SAMPLES = 200;
/** Whole-table passes; the fastest is kept (the first also warms the cache). */
const TABLE_PASSES = 3;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

async function fastest(passes: number, fn: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < passes; i++) best = Math.min(best, (await timed(fn)).ms);
  return best;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** A churned mirror: the incremental scenario's, or a churn and incremental sync of this scenario's own. */
async function ensureChurn(state: CatalogState, sql: postgres.Sql, url: string): Promise<void> {
  const [row] = await sql`select exists (select 1 from changes where op = 'update' and entity_type = 'dataset') as churned`;
  if (row!.churned) return;
  const mutations = await churnSince(state, await ensureFullSync(state));
  say(`asof: mutated ${JSON.stringify(mutations)}, incremental sync (not timed)`);
  const inc = await timedSync(url, state.fake.url, state.settings, { mode: 'incremental' }, 'asof churn', { fake: [state.fake.pid] });
  if (inc.outcome.status !== 'succeeded') throw new Error(`the churn's incremental sync failed: ${inc.outcome.error}`);
}

export async function asofLine(state: CatalogState): Promise<Line> {
  const { db, full } = await ensureFullSync(state);
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    await ensureChurn(state, sql, db.url);
    await sql`analyze changes`;
    const [fullEnd] = await sql`select finished_at from sync_runs where id = ${full.outcome.runId}`;
    const changed = await sql<{ id: string }[]>`select distinct entity_id as id from changes where entity_type = 'dataset' and op = 'update' limit ${ENTITY_SAMPLES / 2}`;
    const others = await sql<{ id: string }[]>`select id from datasets order by md5(id) limit ${ENTITY_SAMPLES - changed.length}`;
    const ids = [...new Set([...changed, ...others].map((r) => r.id))];
    await waitForQuietMachine(say);
    say(`asof: entity_as_of of ${ids.length} datasets, then datasets_as_of over all of them`);
    const one: number[] = [];
    for (const id of ids) one.push((await timed(() => sql`select entity_as_of('dataset', ${id}, now()) as o`)).ms);
    one.sort((a, b) => a - b);
    const pastOne = (await timed(() => sql`select entity_as_of('dataset', ${ids[0]!}, ${fullEnd!.finished_at as string}::timestamptz) as o`)).ms;
    const tableNow = await fastest(TABLE_PASSES, () => sql`select count(*), sum(length(object::text)) from datasets_as_of(now())`);
    const tablePast = await fastest(TABLE_PASSES, () => sql`select count(*), sum(length(object::text)) from datasets_as_of(${fullEnd!.finished_at as string}::timestamptz)`);
    const live = await fastest(TABLE_PASSES, () => sql`select count(*), sum(length(raw::text)) from datasets where deleted_at is null`);
    const [counts] = await sql`select (select count(*)::int from datasets_as_of(now())) as as_of_now,
      (select count(*)::int from datasets where deleted_at is null) as live,
      (select count(*)::int from changes where entity_type = 'dataset') as dataset_changes,
      (select count(*)::int from changes) as changes,
      pg_total_relation_size('changes') as changes_bytes`;
    const ratio = tableNow / live;
    const median = quantile(one, 0.5);
    return {
      ...lineBase(state, 'asof'),
      seconds: tableNow / 1000,
      baseline_seconds: live / 1000,
      ratio,
      target: 'datasets_as_of <= 10x reading the live raw, entity_as_of median <= 5 ms',
      ok: ratio <= 10 && median <= 5 && counts!.as_of_now === counts!.live,
      entity_as_of_ms_median: round(median),
      entity_as_of_ms_p95: round(quantile(one, 0.95)),
      entity_as_of_ms_max: round(one.at(-1) ?? NaN),
      entity_as_of_past_ms: round(pastOne),
      entity_samples: one.length,
      datasets_as_of_past_seconds: tablePast / 1000,
      datasets: counts!.as_of_now,
      live_datasets: counts!.live,
      dataset_changes_rows: counts!.dataset_changes,
      changes_rows: counts!.changes,
      changes_mb: round(Number(counts!.changes_bytes) / 1_048_576, 1),
      baseline: 'select count(*), sum(length(raw::text)) from datasets where deleted_at is null (the live table read once); fastest of 3 passes each',
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
