// The registry of job handlers and the processor that runs them: payloads parsed at the boundary,
// errors that no retry can mend mapped to UnrecoverableError. Touches what the handlers touch.
import { UnrecoverableError, type Job } from 'bullmq';
import { BannedError, HttpError } from '../src/api/errors/index.ts';
import { failRun } from '../src/db/runs.ts';
import { createRegistry } from '../src/queue/define-job.ts';
import { JOB_NAMES, type JobName } from '../src/queue/jobs.ts';
import { harvestOrgJob } from './harvest-org.job.ts';
import type { JobRuntime } from './runtime.ts';
import { syncCollectJob } from './sync-collect.job.ts';
import { syncFinishJob } from './sync-finish.job.ts';
import { syncItemsJob } from './sync-items.job.ts';
import { syncPagesJob } from './sync-pages.job.ts';
import { syncJob } from './sync.job.ts';

export const registry = createRegistry<JobRuntime>([syncJob, syncPagesJob, syncItemsJob, syncCollectJob, syncFinishJob, harvestOrgJob]);

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
        await failRunOfJob(rt, job, error.message);
        throw new UnrecoverableError(error.message);
      }
      if (error instanceof HttpError && !error.retryable) throw new UnrecoverableError(error.message);
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

export async function failRunOfJob(rt: JobRuntime, job: Job, reason: string): Promise<void> {
  const runId = (job.data as { runId?: unknown }).runId;
  if (typeof runId === 'number') await failRun(rt.database.db, runId, reason);
}
