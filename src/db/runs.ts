// The run ledger (`sync_runs`): open, heartbeat, finish, list. Touches Postgres.
import { and, arrayContains, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { changes, syncRuns } from './schema.ts';

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

/**
 * Closes a running run. Inserted, updated, deleted and restored are counted from its `changes` rows,
 * which hold exactly one row per real change even when jobs were redelivered (a redelivered page
 * finds its rows already stored and would count them as unchanged).
 */
export async function finishRun(
  db: Db,
  id: number,
  status: Exclude<RunStatus, 'running'>,
  progress: RunProgress,
  error?: string,
): Promise<RunProgress> {
  const counted = await countChanges(db, id, progress);
  await db
    .update(syncRuns)
    .set({
      ...counted.counts,
      completeness: counted.completeness,
      countsByType: counted.countsByType,
      status,
      error: error ?? null,
      finishedAt: sql`now()`,
      heartbeatAt: sql`now()`,
    })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.status, 'running')));
  return counted;
}

const OP_COUNTS = { insert: 'inserted', update: 'updated', delete: 'deleted', restore: 'restored' } as const;

async function countChanges(db: Db, id: number, progress: RunProgress): Promise<RunProgress> {
  const rows = await db
    .select({ type: changes.entityType, op: changes.op, n: sql<number>`count(*)::int` })
    .from(changes)
    .where(eq(changes.runId, id))
    .groupBy(changes.entityType, changes.op);
  const counts = { ...progress.counts, inserted: 0, updated: 0, deleted: 0, restored: 0 };
  const byType: Record<string, Record<string, number>> = {};
  for (const [type, c] of Object.entries(progress.countsByType)) {
    byType[type] = { ...(c as Record<string, number>), inserted: 0, updated: 0, deleted: 0, restored: 0 };
  }
  for (const row of rows) {
    const key = OP_COUNTS[row.op as keyof typeof OP_COUNTS];
    if (!key) continue;
    counts[key] += row.n;
    const entry = (byType[row.type] ??= { seen: 0, inserted: 0, updated: 0, restored: 0, unchanged: 0, rejected: 0, deleted: 0 });
    entry[key] = (entry[key] ?? 0) + row.n;
  }
  return { counts, completeness: progress.completeness, countsByType: byType };
}

export async function listRuns(db: Db, limit: number) {
  return db.select().from(syncRuns).orderBy(desc(syncRuns.id)).limit(limit);
}

export async function getRun(db: Db, id: number) {
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.id, id));
  return row;
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

/** Serializes the opening of catalog runs across processes (any constant, the same everywhere). */
const CATALOG_RUN_LOCK = 0x72756e73; // "runs"

export class RunInProgressError extends Error {
  override name = 'RunInProgressError';
  constructor(readonly runId: number) {
    super(`Run ${runId} is still in progress: a full or incremental run does not start beside another one.`);
  }
}

/**
 * Opens a full or incremental run atomically: under an advisory lock, dead runs are marked failed,
 * a live one refuses the new run, and the mode defaults to incremental once a full run covering the
 * requested kinds has succeeded. With `jobId`, a run that job already opened is returned instead
 * (a retried coordinator goes on with its run).
 */
export async function openCatalogRun(
  db: Db,
  input: { mode?: 'full' | 'incremental'; kinds: string[]; jobId?: string; staleAfterMs: number },
): Promise<{ id: number; mode: 'full' | 'incremental'; resumed: boolean }> {
  // The refusal is returned, not thrown, so that the dead runs marked failed meanwhile stay marked.
  const opened = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CATALOG_RUN_LOCK})`);
    if (input.jobId) {
      const [own] = await tx.select().from(syncRuns).where(eq(syncRuns.jobId, input.jobId));
      if (own) return { id: own.id, mode: own.mode === 'incremental' ? ('incremental' as const) : ('full' as const), resumed: true };
    }
    await failStaleRuns(tx as unknown as Db, input.staleAfterMs);
    const active = await findActiveCatalogRun(tx as unknown as Db);
    if (active) return { activeRunId: active.id };
    const covered = await tx
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(and(eq(syncRuns.status, 'succeeded'), eq(syncRuns.mode, 'full'), arrayContains(syncRuns.kinds, input.kinds)))
      .limit(1);
    const mode: 'full' | 'incremental' = input.mode ?? (covered.length ? 'incremental' : 'full');
    const [row] = await tx
      .insert(syncRuns)
      .values({ mode, kinds: input.kinds, jobId: input.jobId ?? null })
      .returning({ id: syncRuns.id });
    return { id: row!.id, mode, resumed: false };
  });
  if ('activeRunId' in opened && opened.activeRunId !== undefined) throw new RunInProgressError(opened.activeRunId);
  return opened as { id: number; mode: 'full' | 'incremental'; resumed: boolean };
}
