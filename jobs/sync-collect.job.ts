// After every page and item job of a distributed run: sums their counts, checks each listing's
// completeness, sweeps deletions, then plans the users stage under the finish job.
// Touches Postgres, Redis and HTTP.
import { onDatabase } from '../src/db/retry.ts';
import { countSeen } from '../src/db/sql/read-stamps.ts';
import { LISTINGS, REFERENCED_LISTING, type ListedKind } from '../src/harvest/kinds/index.ts';
import { isWalkComplete } from '../src/harvest/walk-plan.ts';
import type { RunScope, SyncContext } from '../src/harvest/sync-context.ts';
import { concludeListing } from '../src/harvest/conclude-listing.ts';
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
        if (LISTINGS[kind].referenced) continue;
        problems.push(...(await concludeKind(ctx, run, data, kind, results, failures.length)));
      }
      const users = data.kinds.some((k) => LISTINGS[k].referenced) ? await planUsers(ctx, run) : { ids: [], rotation: [], problems: [] };
      problems.push(...users.problems);
      const finish: FinishJobData = { runId: run.runId, runUuid: data.runUuid, mode: data.mode, problems, snapshot: { ...run.tracker.snapshot() }, rotation: users.rotation };
      const children: StageChild[] = chunk(users.ids, ITEMS_PER_JOB).map((ids, index) => ({
        name: JOB_NAMES.items,
        data: { runId: run.runId, runUuid: data.runUuid, kind: REFERENCED_LISTING.name, ids },
        jobId: jobIds.items(data.runUuid, 'referenced', REFERENCED_LISTING.name, index),
      }));
      await addStage(rt.mirror, { name: JOB_NAMES.finish, data: finish, jobId: jobIds.finish(data.runUuid) }, children);
      return { runId: run.runId, users: users.ids.length };
    }));
  },
});

/** A listing's walk: the coordinator's plan, its page jobs' results, the ids seen from the run's state. */
async function concludeKind(ctx: SyncContext, run: RunScope, data: CollectJobData, kind: ListedKind, results: ChildResult[], lostJobs: number) {
  const plan = data.listings[kind] ?? { total: 0, failedPages: [], pages: 0 };
  const failedPages = [...plan.failedPages];
  let { pages, total } = plan;
  for (const result of results) {
    if (result.kind !== kind) continue;
    failedPages.push(...(result.failedPages ?? []));
    pages += result.pages ?? 0;
    // The smallest total announced: deletions during the walk shrink it (the sweep confirms the rest).
    if (result.pages) total = Math.min(total, result.total ?? total);
  }
  const seen = await onDatabase(ctx, 'counting seen ids', () => countSeen(ctx.sql, run.runId, kind));
  const complete =
    data.mode === 'incremental' && !plan.walked
      ? plan.complete === true && lostJobs === 0
      : isWalkComplete({ total, seen, failedPages: failedPages.length, lostJobs });
  const walk = { total, seen, pages, failedPages: failedPages.sort((a, b) => a.page - b.page), complete };
  return concludeListing(ctx, run, kind, walk);
}
