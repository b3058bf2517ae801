// One listing page of a full distributed run, fetched and stored; the last planned page follows
// `next_page` for items created during the run. One page per job: a finished page is never redone.
// Touches Postgres and HTTP.
import { fetchAndStorePages } from '../src/harvest/sync-listing.ts';
import { defineJob } from '../src/queue/define-job.ts';
import { JOB_NAMES, PagesJobSchema } from '../src/queue/jobs.ts';
import { withShare } from './run-scope.ts';
import type { JobRuntime } from './runtime.ts';

export const syncPagesJob = defineJob({
  name: JOB_NAMES.pages,
  schema: PagesJobSchema,
  async run(job, data, rt: JobRuntime) {
    // The page size the coordinator planned with, whatever this worker's own setting.
    return rt.withContext((ctx) =>
      withShare({ ...ctx, pageSize: data.pageSize }, data, async (run) => {
        const outcome = await fetchAndStorePages({ ...ctx, pageSize: data.pageSize }, run, data.kind, [data.page], { followTail: data.last });
        await job.updateProgress({ pages: outcome.pages });
        return { kind: data.kind, ...outcome, snapshot: run.tracker.snapshot() };
      }),
    );
  },
});
