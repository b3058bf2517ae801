// The run ledger (`sync_runs`): open, heartbeat, finish, list. Touches Postgres.
import { and, arrayContains, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { changes, syncRuns } from './schema.ts';
import { refreshChangesDaily } from './sql/refresh-changes-daily.ts';

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

/** Opens a run; with `uuid`, the running run of that identity is returned instead (a retried job goes
 * on with the run it opened) and an ended one throws RunEndedError. */
export async function openRun(
  db: Db,
  input: { mode: RunMode; scope?: string | null; kinds: string[]; uuid?: string; jobId?: string },
): Promise<number> {
  const [row] = await db
    .insert(syncRuns)
    .values({ mode: input.mode, scope: input.scope ?? null, kinds: input.kinds, jobId: input.jobId ?? null, ...(input.uuid ? { uuid: input.uuid } : {}) })
    .onConflictDoNothing({ target: syncRuns.uuid })
    .returning({ id: syncRuns.id });
  if (row) return row.id;
  const [own] = await db.select().from(syncRuns).where(eq(syncRuns.uuid, input.uuid!));
  if (!own) throw new Error(`Run ${input.uuid} could not be opened.`);
  if (own.status !== 'running') throw new RunEndedError(own.id, own.status);
  return own.id;
}

/** Saves counts so far and proves the run is alive (a run without heartbeat is marked crashed).
 * False when the row is no longer running: the run was cancelled or reaped meanwhile. */
export async function heartbeatRun(db: Db, id: number, progress: RunProgress): Promise<boolean> {
  const rows = await db
    .update(syncRuns)
    .set({ ...progress.counts, completeness: progress.completeness, countsByType: progress.countsByType, heartbeatAt: sql`now()` })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.status, 'running')))
    .returning({ id: syncRuns.id });
  return rows.length > 0;
}

/**
 * Closes a running run. Inserted, updated, deleted and restored are counted from its `changes` rows,
 * which hold exactly one row per real change even when jobs were redelivered (a redelivered page
 * finds its rows already stored and would count them as unchanged). `closed` is false when the row
 * had already left `running` (cancelled or reaped): it is then left as it is.
 */
export async function finishRun(
  db: Db,
  id: number,
  status: Exclude<RunStatus, 'running'>,
  progress: RunProgress,
  error?: string,
): Promise<RunProgress & { closed: boolean }> {
  const counted = await countChanges(db, id, progress);
  const rows = await db
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
    .where(and(eq(syncRuns.id, id), eq(syncRuns.status, 'running')))
    .returning({ id: syncRuns.id });
  // The run has written all it will: its days are recounted into the rollup (a retried close recounts).
  await refreshChangesDaily(db);
  return { ...counted, closed: rows.length > 0 };
}

const OP_COUNTS = { insert: 'inserted', update: 'updated', delete: 'deleted', restore: 'restored' } as const;

/** The progress with inserted, updated, deleted and restored counted from the run's `changes` rows. */
export async function countChanges(db: Db, id: number, progress: RunProgress): Promise<RunProgress> {
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

/** Proves a run is alive (every job of a distributed run calls it when it starts and ends) and returns
 * its mode; null when the run ended, or when `uuid` is given and the row of that id is another run (a
 * recreated database). */
export async function touchRun(db: Db, id: number, uuid?: string): Promise<SyncRun['mode'] | null> {
  const [row] = await db
    .update(syncRuns)
    .set({ heartbeatAt: sql`now()` })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.status, 'running'), uuid ? eq(syncRuns.uuid, uuid) : undefined))
    .returning({ mode: syncRuns.mode });
  return row?.mode ?? null;
}

/** Why a run without heartbeat is failed: what is known (when it was last alive, who ran it), and a
 * cause recorded earlier is kept in front. */
const STALE_REASON = sql`concat_ws(' ', ${syncRuns.error}, 'No heartbeat since ' || to_char(${syncRuns.heartbeatAt} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC: '
  || case when ${syncRuns.jobId} is null then 'the process running it stopped (killed or crashed).'
     else 'no worker has worked on it since (workers stopped, killed or crashed).' end)`;

/** Marks failed the running runs whose heartbeat is older than `staleAfterMs` (their processes
 * stopped), with their counts taken from their `changes` rows: the last heartbeat's are behind. */
export async function failStaleRuns(db: Db, staleAfterMs: number): Promise<number[]> {
  const rows = await db
    .update(syncRuns)
    .set({ status: 'failed', finishedAt: sql`now()`, error: STALE_REASON })
    .where(
      and(
        eq(syncRuns.status, 'running'),
        sql`${syncRuns.heartbeatAt} < now() - make_interval(secs => ${staleAfterMs / 1000})`,
      ),
    )
    .returning();
  for (const row of rows) await recountEndedRun(db, row);
  return rows.map((r) => r.id);
}

/** Counts of a run closed by someone else than its process, from its `changes` rows. */
async function recountEndedRun(db: Db, row: SyncRun): Promise<void> {
  const counted = await countChanges(db, row.id, {
    counts: row,
    completeness: row.completeness as Record<string, unknown>,
    countsByType: row.countsByType as Record<string, unknown>,
  });
  const { inserted, updated, deleted, restored } = counted.counts;
  await db.update(syncRuns).set({ inserted, updated, deleted, restored, countsByType: counted.countsByType }).where(eq(syncRuns.id, row.id));
}

/** Ends a running run as failed with `reason` (the `cancel` command); its process or workers notice
 * at their next heartbeat or job. Undefined when the run was not running. */
export async function cancelRun(db: Db, id: number, reason: string): Promise<SyncRun | undefined> {
  const [row] = await db
    .update(syncRuns)
    .set({ status: 'failed', error: reason, finishedAt: sql`now()` })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.status, 'running')))
    .returning();
  if (row) await recountEndedRun(db, row);
  return row;
}

/** Running runs with the age of their heartbeat in seconds (database clock), newest first. */
export async function listRunningRuns(db: Db): Promise<Array<SyncRun & { heartbeatAgeSeconds: number }>> {
  const rows = await db
    .select({ run: syncRuns, age: sql<number>`extract(epoch from now() - ${syncRuns.heartbeatAt})::float8` })
    .from(syncRuns)
    .where(eq(syncRuns.status, 'running'))
    .orderBy(desc(syncRuns.id));
  return rows.map((r) => ({ ...r.run, heartbeatAgeSeconds: r.age }));
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

/** Closes the running run of that id and identity as failed, its counts taken from its `changes` rows
 * (a distributed run whose stage failed for good); false when it already ended or is another run. */
export async function closeRunAsFailed(db: Db, ref: { runId: number; runUuid: string }, reason: string): Promise<boolean> {
  const [row] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.id, ref.runId), eq(syncRuns.uuid, ref.runUuid), eq(syncRuns.status, 'running')));
  if (!row) return false;
  const counts = emptyRunCounts();
  for (const key of Object.keys(counts) as Array<keyof RunCounts>) counts[key] = row[key];
  const progress: RunProgress = {
    counts,
    completeness: row.completeness as Record<string, unknown>,
    countsByType: row.countsByType as Record<string, unknown>,
  };
  await finishRun(db, row.id, 'failed', progress, reason);
  return true;
}

/** Serializes the opening of catalog runs across processes (any constant, the same everywhere). */
const CATALOG_RUN_LOCK = 0x72756e73; // "runs"

export class RunInProgressError extends Error {
  override name = 'RunInProgressError';
  constructor(readonly runId: number) {
    super(`Run ${runId} is still in progress: a full or incremental run does not start beside another one.`);
  }
}

/** A run of another process that ended meanwhile (a retried coordinator whose run was cancelled). */
export class RunEndedError extends Error {
  override name = 'RunEndedError';
  constructor(readonly runId: number, readonly status: string) {
    super(`Run ${runId} already ended (${status}).`);
  }
}

export interface OpenCatalogRunInput {
  mode?: 'full' | 'incremental';
  kinds: string[];
  /** The run's identity, chosen by the caller before anything can fail: a retry with the same uuid
   * goes on with the run it opened, and only while that run is `running`. */
  uuid?: string;
  /** The queue job opening the run (informative). */
  jobId?: string;
  staleAfterMs: number;
  /** Whether a running run is abandoned (a queued run whose jobs are gone from Redis): it is then
   * marked failed instead of refusing the new run. */
  isAbandoned?(run: SyncRun): Promise<string | undefined>;
}

/**
 * Opens a full or incremental run atomically: under an advisory lock, dead runs are marked failed,
 * a live one refuses the new run, and the mode defaults to incremental once a full run covering the
 * requested kinds has succeeded. With `uuid`, the running run of that identity is returned instead
 * (a retried coordinator goes on with its run); an ended one throws RunEndedError.
 */
export async function openCatalogRun(
  db: Db,
  input: OpenCatalogRunInput,
): Promise<{ id: number; uuid: string; mode: 'full' | 'incremental'; resumed: boolean }> {
  // The refusal is returned, not thrown, so that the dead runs marked failed meanwhile stay marked.
  const opened = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CATALOG_RUN_LOCK})`);
    if (input.uuid) {
      const [own] = await tx.select().from(syncRuns).where(eq(syncRuns.uuid, input.uuid));
      if (own && own.status !== 'running') return { ended: { id: own.id, status: own.status } };
      if (own) return { id: own.id, uuid: own.uuid, mode: own.mode === 'incremental' ? ('incremental' as const) : ('full' as const), resumed: true };
    }
    await failStaleRuns(tx as unknown as Db, input.staleAfterMs);
    // The run state (run_seen_ids) of runs that ended, however they ended, is dropped here.
    await tx.execute(sql`delete from run_seen_ids s where not exists (select 1 from sync_runs r where r.id = s.run_id and r.status = 'running')`);
    let active = await findActiveCatalogRun(tx as unknown as Db);
    const abandoned = active && (await input.isAbandoned?.(active));
    if (active && abandoned) {
      await failRun(tx as unknown as Db, active.id, abandoned);
      active = await findActiveCatalogRun(tx as unknown as Db);
    }
    if (active) return { activeRunId: active.id };
    const covered = await tx
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(and(eq(syncRuns.status, 'succeeded'), eq(syncRuns.mode, 'full'), arrayContains(syncRuns.kinds, input.kinds)))
      .limit(1);
    const mode: 'full' | 'incremental' = input.mode ?? (covered.length ? 'incremental' : 'full');
    const [row] = await tx
      .insert(syncRuns)
      .values({ mode, kinds: input.kinds, jobId: input.jobId ?? null, ...(input.uuid ? { uuid: input.uuid } : {}) })
      .returning({ id: syncRuns.id, uuid: syncRuns.uuid });
    return { id: row!.id, uuid: row!.uuid, mode, resumed: false };
  });
  if ('ended' in opened && opened.ended) throw new RunEndedError(opened.ended.id, opened.ended.status);
  if ('activeRunId' in opened && opened.activeRunId !== undefined) throw new RunInProgressError(opened.activeRunId);
  return opened as { id: number; uuid: string; mode: 'full' | 'incremental'; resumed: boolean };
}
