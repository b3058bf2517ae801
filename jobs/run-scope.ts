// A job's share of a distributed run: its own tracker (returned with the job's result and summed by
// the parent job), the run-still-open check every job makes first, and a heartbeat while it works.
// Touches Postgres.
import { touchRun } from '../src/db/runs.ts';
import { RunTracker } from '../src/harvest/run-tracker.ts';
import type { RunScope, SyncContext } from '../src/harvest/sync-context.ts';

export const SKIPPED = { skipped: true, reason: 'the run already ended or is not in this database' } as const;

/** Which run a job works for: its id in this database and its identity for good. */
export interface RunRef {
  runId: number;
  runUuid: string;
}

/** Runs `fn` on the run's share, proving the run alive meanwhile; SKIPPED when the run already ended
 * or is not in this database (the row of that id is another run's). */
export async function withShare<T>(ctx: SyncContext, ref: RunRef, fn: (run: RunScope) => Promise<T>): Promise<T | typeof SKIPPED> {
  const { runId } = ref;
  const runMode = await touchRun(ctx.db, runId, ref.runUuid);
  if (!runMode) return SKIPPED;
  const mode = runMode === 'incremental' ? 'incremental' : 'full';
  const run: RunScope = { runId, tracker: new RunTracker(ctx.db, runId, ctx.http), mode, userIds: new Set(), fetchedUserIds: new Set() };
  // A long job (a sweep, the users listing) must not let the run look dead to the stale-run check.
  const every = Math.max(1_000, Math.min(15_000, Math.floor((ctx.staleAfterMs ?? 600_000) / 4)));
  const timer = setInterval(() => {
    touchRun(ctx.db, runId, ref.runUuid).catch((error: unknown) => ctx.logger.warn({ err: error, runId }, 'heartbeat failed'));
  }, every);
  timer.unref();
  try {
    return await fn(run);
  } finally {
    clearInterval(timer);
  }
}
