// The latest runs for people (runs, dashboard, doctor): a running run's counts are taken live from its
// `changes` rows (and the ids its walks have seen), since a queued run sums its jobs' counts only at
// its end. Touches Postgres.
import type postgres from 'postgres';
import { hasRelation } from './recent-changes.ts';

export interface LiveCounts {
  inserted: number;
  updated: number;
  deleted: number;
  restored: number;
  /** Entities seen so far, where the database keeps the walks' state (run_seen_ids). */
  seen?: number;
}

/** Live counts of the given running runs, by run id. */
export async function liveCounts(sql: postgres.Sql, runIds: number[]): Promise<Map<number, LiveCounts>> {
  const out = new Map<number, LiveCounts>();
  if (runIds.length === 0) return out;
  const rows = await sql`select run_id::int as run_id, op, count(*)::int as n from changes where run_id = any(${runIds}::bigint[]) group by 1, 2`;
  for (const id of runIds) out.set(id, { inserted: 0, updated: 0, deleted: 0, restored: 0 });
  const key = { insert: 'inserted', update: 'updated', delete: 'deleted', restore: 'restored' } as const;
  for (const r of rows) {
    const k = key[r.op as keyof typeof key];
    if (k) out.get(r.run_id as number)![k] = r.n as number;
  }
  if (await hasRelation(sql, 'public.run_seen_ids')) {
    const seen = await sql`select run_id::int as run_id, count(*)::int as n from run_seen_ids where run_id = any(${runIds}::bigint[]) group by 1`;
    for (const r of seen) out.get(r.run_id as number)!.seen = r.n as number;
  }
  return out;
}

/** Runs with a running one's counts replaced by its live counts (where they are larger: a run
 * heartbeating in-process already has its own). */
export async function withLiveCounts<T extends { id: number; status: string; seen: number; inserted: number; updated: number; deleted: number }>(
  sql: postgres.Sql,
  runs: T[],
): Promise<T[]> {
  const live = await liveCounts(sql, runs.filter((r) => r.status === 'running').map((r) => r.id));
  return runs.map((run) => {
    const counts = live.get(run.id);
    if (!counts) return run;
    return {
      ...run,
      seen: Math.max(run.seen, counts.seen ?? 0),
      inserted: Math.max(run.inserted, counts.inserted),
      updated: Math.max(run.updated, counts.updated),
      deleted: Math.max(run.deleted, counts.deleted),
    };
  });
}

export interface RunRow {
  id: number;
  mode: string;
  scope: string | null;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  seconds: number | null;
  pages: number;
  requests: number;
  seen: number;
  inserted: number;
  updated: number;
  deleted: number;
  rejected: number;
  error: string | null;
}

export async function latestRuns(sql: postgres.Sql, limit = 20): Promise<RunRow[]> {
  const rows = await sql`
    select id::int as id, mode, scope, status, started_at, finished_at,
           extract(epoch from coalesce(finished_at, now()) - started_at)::float as seconds,
           pages, requests, seen, inserted, updated, deleted, rejected, error
      from sync_runs order by id desc limit ${limit}`;
  const runs: RunRow[] = rows.map((r) => ({
    id: r.id as number,
    mode: r.mode as string,
    scope: (r.scope as string | null) ?? null,
    status: r.status as string,
    startedAt: new Date(r.started_at as string).toISOString(),
    finishedAt: r.finished_at ? new Date(r.finished_at as string).toISOString() : null,
    seconds: r.seconds as number,
    pages: Number(r.pages),
    requests: Number(r.requests),
    seen: Number(r.seen),
    inserted: Number(r.inserted),
    updated: Number(r.updated),
    deleted: Number(r.deleted),
    rejected: Number(r.rejected),
    error: (r.error as string | null) ?? null,
  }));
  return withLiveCounts(sql, runs);
}
