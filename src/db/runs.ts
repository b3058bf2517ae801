// The run ledger (`sync_runs`): open, heartbeat, finish, list. Touches Postgres.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { syncRuns } from './schema.ts';

export type RunMode = 'full' | 'incremental' | 'organization';
export type RunStatus = 'running' | 'succeeded' | 'failed';

export interface RunCounts {
  pages: number;
  requests: number;
  retries: number;
  seen: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  restored: number;
  rejected: number;
}

export const emptyRunCounts = (): RunCounts => ({
  pages: 0, requests: 0, retries: 0, seen: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, restored: 0, rejected: 0,
});

export interface RunProgress {
  counts: RunCounts;
  completeness: Record<string, unknown>;
  countsByType: Record<string, unknown>;
}

export async function openRun(db: Db, input: { mode: RunMode; scope?: string | null; kinds: string[] }): Promise<number> {
  const [row] = await db
    .insert(syncRuns)
    .values({ mode: input.mode, scope: input.scope ?? null, kinds: input.kinds })
    .returning({ id: syncRuns.id });
  return row!.id;
}

/** Saves counts so far and proves the run is alive (a run without heartbeat is marked crashed). */
export async function heartbeatRun(db: Db, id: number, progress: RunProgress): Promise<void> {
  await db
    .update(syncRuns)
    .set({ ...progress.counts, completeness: progress.completeness, countsByType: progress.countsByType, heartbeatAt: sql`now()` })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.status, 'running')));
}

export async function finishRun(
  db: Db,
  id: number,
  status: Exclude<RunStatus, 'running'>,
  progress: RunProgress,
  error?: string,
): Promise<void> {
  await db
    .update(syncRuns)
    .set({
      ...progress.counts,
      completeness: progress.completeness,
      countsByType: progress.countsByType,
      status,
      error: error ?? null,
      finishedAt: sql`now()`,
      heartbeatAt: sql`now()`,
    })
    .where(eq(syncRuns.id, id));
}

export async function listRuns(db: Db, limit: number) {
  return db.select().from(syncRuns).orderBy(desc(syncRuns.id)).limit(limit);
}

export async function getRun(db: Db, id: number) {
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.id, id));
  return row;
}

/** Whether a full or incremental run has ever succeeded (incremental becomes the default then). */
export async function hasSucceededFullRun(db: Db): Promise<boolean> {
  const rows = await db
    .select({ id: syncRuns.id })
    .from(syncRuns)
    .where(and(eq(syncRuns.status, 'succeeded'), inArray(syncRuns.mode, ['full'])))
    .limit(1);
  return rows.length > 0;
}

export type SyncRun = typeof syncRuns.$inferSelect;

/** Proves a run is alive (every job of a distributed run calls it when it starts and ends). */
export async function touchRun(db: Db, id: number): Promise<boolean> {
  const rows = await db
    .update(syncRuns)
    .set({ heartbeatAt: sql`now()` })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.status, 'running')))
    .returning({ id: syncRuns.id });
  return rows.length > 0;
}

/** Marks failed the running runs whose heartbeat is older than `staleAfterMs`: their workers died. */
export async function failStaleRuns(db: Db, staleAfterMs: number): Promise<number[]> {
  const rows = await db
    .update(syncRuns)
    .set({
      status: 'failed',
      finishedAt: sql`now()`,
      error: sql`'No heartbeat since ' || to_char(${syncRuns.heartbeatAt} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC: the processes running it died or stopped.'`,
    })
    .where(
      and(
        eq(syncRuns.status, 'running'),
        sql`${syncRuns.heartbeatAt} < now() - make_interval(secs => ${staleAfterMs / 1000})`,
      ),
    )
    .returning({ id: syncRuns.id });
  return rows.map((r) => r.id);
}

/** The full or incremental run in progress, if any (a nightly run does not start beside it). */
export async function findActiveCatalogRun(db: Db): Promise<SyncRun | undefined> {
  const [row] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.status, 'running'), inArray(syncRuns.mode, ['full', 'incremental'])))
    .orderBy(desc(syncRuns.id))
    .limit(1);
  return row;
}

/** Fails a running run without touching its counts (a ban seen by one of its jobs). */
export async function failRun(db: Db, id: number, reason: string): Promise<void> {
  await db
    .update(syncRuns)
    .set({ status: 'failed', error: reason, finishedAt: sql`now()`, heartbeatAt: sql`now()` })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.status, 'running')));
}
