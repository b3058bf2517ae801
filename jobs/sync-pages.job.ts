// One listing page of a full distributed run, fetched and stored; the last planned page follows
// `next_page` for items created during the run. One page per job: a finished page is never redone,
// and a lost one fails the job so that BullMQ retries it with backoff.
// Touches Postgres and HTTP.
import { fetchAndStorePages } from '../src/harvest/fetch-pages.ts';
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
        // A lost page fails the job: BullMQ's attempts retry it, and only exhausted attempts count as lost.
        const lost = outcome.failedPages[0];
        if (lost) throw new Error(`Page ${lost.page} of ${data.kind} could not be fetched: ${lost.error}`);
        await job.updateProgress({ pages: outcome.pages });
        // The ids it showed are in run_seen_ids, not in the job's result.
        return { kind: data.kind, total: outcome.total, pages: outcome.pages, hasNext: outcome.hasNext, snapshot: run.tracker.snapshot() };
      }),
    );
  },
});
