// A few entities of a distributed run fetched by id and stored (changed entities of an incremental
// run, users). Touches Postgres and HTTP.
import { LISTINGS } from '../src/harvest/kinds/index.ts';
import { describeFetchFailures, fetchAndStore } from '../src/harvest/fetch-and-store.ts';
import { defineJob } from '../src/queue/define-job.ts';
import { ItemsJobSchema, JOB_NAMES } from '../src/queue/jobs.ts';
import { withShare } from './run-scope.ts';
import type { JobRuntime } from './runtime.ts';

export const syncItemsJob = defineJob({
  name: JOB_NAMES.items,
  schema: ItemsJobSchema,
  async run(_job, data, rt: JobRuntime) {
    return rt.withContext((ctx) =>
      withShare(ctx, data, async (run) => {
        const failed = await fetchAndStore(ctx, run, data.kind, LISTINGS[data.kind], data.ids);
        // Items that kept failing fail the job: BullMQ retries it (the stored ones are no-ops then).
        if (failed.length) throw new Error(describeFetchFailures(data.kind, failed)[0]);
        return { kind: data.kind, snapshot: run.tracker.snapshot() };
      }),
    );
  },
});
