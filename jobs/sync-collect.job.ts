// After every page and item job of a distributed run: sums their counts, checks each listing's
// completeness, sweeps deletions, then plans the users stage under the finish job.
// Touches Postgres, Redis and HTTP.
import type { ListedKind } from '../src/harvest/kinds/index.ts';
import type { RunScope, SyncContext } from '../src/harvest/sync-context.ts';
import { concludeListing } from '../src/harvest/sync-listing.ts';
import { planUsers } from '../src/harvest/sync-users.ts';
import { addStage, type StageChild } from '../src/queue/add-stage.ts';
import { defineJob } from '../src/queue/define-job.ts';
import { chunk, CollectJobSchema, ITEMS_PER_JOB, JOB_NAMES, jobIds, type CollectJobData, type FinishJobData } from '../src/queue/jobs.ts';
import { collectChildren, type ChildResult } from './children.ts';
import { withShare } from './run-scope.ts';
import type { JobRuntime } from './runtime.ts';

export const syncCollectJob = defineJob({
  name: JOB_NAMES.collect,
  schema: CollectJobSchema,
  async run(job, data, rt: JobRuntime) {
    return rt.withContext((ctx) => withShare(ctx, data, async (run) => {
      const { results, failures, problems } = await collectChildren(job, run, data.snapshot);
      for (const kind of data.kinds) {
        if (kind === 'users') continue;
        problems.push(...(await concludeKind(ctx, run, data, kind, results, failures.length > 0)));
      }
      const users = data.kinds.includes('users') ? await planUsers(ctx, run) : { ids: [], rotation: [], problems: [] };
      problems.push(...users.problems);
      const finish: FinishJobData = { runId: run.runId, runUuid: data.runUuid, mode: data.mode, problems, snapshot: { ...run.tracker.snapshot() }, rotation: users.rotation };
      const children: StageChild[] = chunk(users.ids, ITEMS_PER_JOB).map((ids, index) => ({
        name: JOB_NAMES.items,
        data: { runId: run.runId, runUuid: data.runUuid, kind: 'users', ids },
        jobId: jobIds.items(data.runUuid, 'users', 'users', index),
      }));
      await addStage(rt.mirror, { name: JOB_NAMES.finish, data: finish, jobId: jobIds.finish(data.runUuid) }, children);
      return { runId: run.runId, users: users.ids.length };
    }));
  },
});

/** A listing is complete when every page came back and as many ids as announced were seen. */
async function concludeKind(ctx: SyncContext, run: RunScope, data: CollectJobData, kind: ListedKind, results: ChildResult[], lostJobs: boolean) {
  const plan = data.listings[kind] ?? { total: 0, ids: [], failedPages: [], pages: 0 };
  const seen = new Set(plan.ids);
  const failedPages = [...plan.failedPages];
  let { pages, total } = plan;
  for (const result of results) {
    if (result.kind !== kind || !result.ids) continue;
    for (const id of result.ids) seen.add(id);
    failedPages.push(...(result.failedPages ?? []));
    pages += result.pages ?? 0;
    // The smallest total announced: deletions during the walk shrink it (the sweep confirms the rest).
    if (result.pages) total = Math.min(total, result.total ?? total);
  }
  const complete =
    !lostJobs && failedPages.length === 0 && (data.mode === 'incremental' ? plan.complete === true : seen.size >= total);
  const walk = { total, seen: seen.size, pages, failedPages: failedPages.sort((a, b) => a.page - b.page), complete };
  return concludeListing(ctx, run, kind, walk, seen);
}
