// A job's share of a distributed run: its own tracker (returned with the job's result and summed by
// the parent job) and the run-still-open check every job makes first. Touches Postgres.
import { getRun, touchRun } from '../src/db/runs.ts';
import { RunTracker } from '../src/harvest/run-tracker.ts';
import type { RunScope, SyncContext } from '../src/harvest/sync-context.ts';

/** The run's scope for this job, or null when the run already ended (failed, reaped): nothing to do. */
export async function openShare(ctx: SyncContext, runId: number): Promise<RunScope | null> {
  if (!(await touchRun(ctx.db, runId))) return null;
  const run = await getRun(ctx.db, runId);
  const mode = run?.mode === 'incremental' ? 'incremental' : 'full';
  return { runId, tracker: new RunTracker(ctx.db, runId, ctx.http), mode, userIds: new Set(), fetchedUserIds: new Set() };
}

export const SKIPPED = { skipped: true, reason: 'the run already ended' } as const;
