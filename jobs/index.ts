// The registry of job handlers and the processor that runs them: payloads parsed at the boundary,
// errors that no retry can mend mapped to UnrecoverableError, driver errors reported by their own
// message. A stage job that fails for good gets its run closed by a close-run job.
// Touches what the handlers touch, and Redis.
import { UnrecoverableError, type Job } from 'bullmq';
import { BannedError, HttpError } from '../src/api/errors/index.ts';
import { closeRunAsFailed } from '../src/db/runs.ts';
import { causeMessage, rootCause } from '../src/errors.ts';
import { createRegistry } from '../src/queue/define-job.ts';
import { JOB_NAMES, jobIds, type CloseRunJobData, type JobName } from '../src/queue/jobs.ts';
import { closeRunJob } from './close-run.job.ts';
import { harvestOrgJob } from './harvest-org.job.ts';
import type { RunRef } from './run-scope.ts';
import type { JobRuntime } from './runtime.ts';
import { syncCollectJob } from './sync-collect.job.ts';
import { syncFinishJob } from './sync-finish.job.ts';
import { syncItemsJob } from './sync-items.job.ts';
import { syncPagesJob } from './sync-pages.job.ts';
import { syncJob } from './sync.job.ts';

export const registry = createRegistry<JobRuntime>([
  syncJob, syncPagesJob, syncItemsJob, syncCollectJob, syncFinishJob, harvestOrgJob, closeRunJob,
]);

export function createProcessor(rt: JobRuntime) {
  return async (job: Job): Promise<unknown> => {
    const definition = registry.get(job.name as JobName);
    if (!definition) throw new UnrecoverableError(`No handler for job "${job.name}".`);
    const parsed = definition.parse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`Job ${job.name} ${job.id} has a malformed payload: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
    }
    try {
      return await definition.run(job, parsed.data, rt);
    } catch (error) {
      if (error instanceof BannedError) {
        // A ban stops the whole run now; retrying would only prolong it.
        const ref = runRefOf(job);
        if (ref) await closeRunAsFailed(rt.database.db, ref, error.message);
        throw new UnrecoverableError(error.message);
      }
      if (error instanceof HttpError && !error.retryable) throw new UnrecoverableError(error.message);
      // The job's failure reason is what the driver said, not drizzle's "Failed query: …" wrapper.
      if (rootCause(error) !== error) throw new Error(causeMessage(error), { cause: error });
      throw error;
    }
  };
}

/** Stage jobs (coordinator, collect, finish, re-harvest) carry the run forward: their final failure ends it. */
const STAGES = new Set<string>([JOB_NAMES.sync, JOB_NAMES.collect, JOB_NAMES.finish, JOB_NAMES.harvestOrg]);

/** BullMQ sets `finishedOn` only when a failed job will not be retried (attempts spent, or unrecoverable). */
export function isFinalFailure(job: Job): boolean {
  return STAGES.has(job.name) && job.finishedOn != null;
}

/** The run a job works for, once known (a coordinator stores it in its data before anything can fail). */
export function runRefOf(job: Job): RunRef | undefined {
  const { runId, runUuid } = (job.data ?? {}) as { runId?: unknown; runUuid?: unknown };
  return typeof runId === 'number' && typeof runUuid === 'string' ? { runId, runUuid } : undefined;
}

/** Queues the closing of the run of a stage job that failed for good; the close-run job retries
 * through a database outage. Returns false when the job's run is not known (it never opened one). */
export async function closeRunOfJob(rt: JobRuntime, job: Job, reason: string): Promise<boolean> {
  const ref = runRefOf(job);
  if (!ref) return false;
  const data: CloseRunJobData = { ...ref, reason };
  await rt.mirror.queue.add(JOB_NAMES.closeRun, data, { ...rt.mirror.jobOptions, jobId: jobIds.closeRun(ref.runUuid) });
  return true;
}
