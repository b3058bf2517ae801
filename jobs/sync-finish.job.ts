// The last job of a distributed run: sums the users stage, marks rotated users fetched, and closes
// the run row as succeeded or failed with the reasons. Touches Postgres and Redis.
import { finishRun } from '../src/db/runs.ts';
import { markUsersFetched } from '../src/db/sql/referenced-users.ts';
import { now } from '../src/harvest/sync-context.ts';
import { defineJob } from '../src/queue/define-job.ts';
import { FinishJobSchema, JOB_NAMES } from '../src/queue/jobs.ts';
import { collectChildren } from './children.ts';
import { withShare } from './run-scope.ts';
import type { JobRuntime } from './runtime.ts';

export const syncFinishJob = defineJob({
  name: JOB_NAMES.finish,
  schema: FinishJobSchema,
  async run(job, data, rt: JobRuntime) {
    return rt.withContext((ctx) => withShare(ctx, data, async (run) => {
      const children = await collectChildren(job, run, data.snapshot);
      await markUsersFetched(ctx.sql, data.rotation, now());
      const problems = [...data.problems, ...children.problems];
      const error = problems.length ? problems.map((p) => p.replace(/\.?$/, '.')).join(' ') : undefined;
      const status = error ? 'failed' : 'succeeded';
      const progress = await finishRun(ctx.db, data.runId, status, run.tracker.snapshot(), error);
      ctx.logger.info({ runId: data.runId, status, counts: progress.counts, error }, 'distributed sync finished');
      return { runId: data.runId, status, error };
    }));
  },
});
