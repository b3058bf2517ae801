// Closes a distributed run whose stage job failed for good. A job of its own, with the queue's
// attempts and backoff, so that the closing survives a database that is down at that moment.
// Touches Postgres.
import { closeRunAsFailed } from '../src/db/runs.ts';
import { defineJob } from '../src/queue/define-job.ts';
import { CloseRunJobSchema, JOB_NAMES } from '../src/queue/jobs.ts';
import type { JobRuntime } from './runtime.ts';

export const closeRunJob = defineJob({
  name: JOB_NAMES.closeRun,
  schema: CloseRunJobSchema,
  async run(_job, data, rt: JobRuntime) {
    const closed = await closeRunAsFailed(rt.database.db, data, data.reason);
    if (closed) rt.logger.warn({ runId: data.runId, reason: data.reason }, 'run closed as failed');
    return { runId: data.runId, closed };
  },
});
