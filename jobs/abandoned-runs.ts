// Queued runs whose jobs are gone: a run row stays `running` while one of its stage jobs (coordinator,
// collect, finish, close) is still to run; when Redis lost them all (a reset without persistence, a
// flush) or the last one failed for good, nothing will ever close the run, so it is closed here.
// Touches Redis and Postgres.
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Job } from 'bullmq';
import type { Db } from '../src/db/client.ts';
import { failRun, type SyncRun } from '../src/db/runs.ts';
import { syncRuns } from '../src/db/schema.ts';
import { jobIds } from '../src/queue/jobs.ts';
import type { MirrorQueue } from '../src/queue/queue.ts';

const FINAL = new Set(['completed', 'failed', 'unknown']);

/** Why a running queued run is abandoned, or undefined while one of its stage jobs is still to run. */
export async function abandonment(mirror: MirrorQueue, run: Pick<SyncRun, 'uuid' | 'jobId'>): Promise<string | undefined> {
  if (!run.jobId) return undefined; // an in-process run: its heartbeat tells
  const ids = [run.jobId, jobIds.collect(run.uuid), jobIds.finish(run.uuid), jobIds.closeRun(run.uuid)];
  const jobs = (await Promise.all(ids.map((id) => mirror.queue.getJob(id)))).filter(
    // After a Redis reset the coordinator's id may name another job: only this run's jobs count.
    (job): job is Job => Boolean(job) && (job!.id !== run.jobId || (job!.data as { runUuid?: unknown })?.runUuid === run.uuid),
  );
  const states = await Promise.all(jobs.map((job) => job.getState()));
  if (states.some((state) => !FINAL.has(state))) return undefined;
  const failed = jobs.find((job, i) => states[i] === 'failed');
  if (failed) return `Job ${failed.name} ${failed.id} failed for good: ${failed.failedReason}`;
  return 'Its queued jobs are gone from Redis (reset or flushed): nothing can go on with it; the next run completes the mirror.';
}

/** The check `openCatalogRun` makes before a live-looking run refuses a new one. */
export function abandonedRunCheck(mirror: MirrorQueue): (run: SyncRun) => Promise<string | undefined> {
  return (run) => abandonment(mirror, run);
}

/** Marks failed every running queued run of this database whose jobs are gone; returns their ids. */
export async function failAbandonedRuns(db: Db, mirror: MirrorQueue): Promise<number[]> {
  const running = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.status, 'running'), isNotNull(syncRuns.jobId)));
  const failed: number[] = [];
  for (const run of running) {
    const reason = await abandonment(mirror, run);
    if (!reason) continue;
    await failRun(db, run.id, reason);
    failed.push(run.id);
  }
  return failed;
}
