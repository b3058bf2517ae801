// The coordinator of a distributed sync run: opens the run, stores each kind's first page (full) or
// walks its manifest (incremental), then fans the rest out as page and item jobs under a collect job.
// Touches Postgres, Redis and HTTP.
import { randomUUID } from 'node:crypto';
import { openCatalogRun, RunEndedError, RunInProgressError } from '../src/db/runs.ts';
import { LISTINGS, type ListedKind } from '../src/harvest/kinds/index.ts';
import type { RunScope, SyncContext } from '../src/harvest/sync-context.ts';
import { fetchAndStorePages } from '../src/harvest/fetch-pages.ts';
import { walkManifest } from '../src/harvest/walk-manifest.ts';
import { lastPlannedPage, preferFullWalk } from '../src/harvest/walk-plan.ts';
import { pageSlots } from '../src/harvest/walk-listing.ts';
import { addStage, type StageChild } from '../src/queue/add-stage.ts';
import { defineJob } from '../src/queue/define-job.ts';
import { chunk, ITEMS_PER_JOB, JOB_NAMES, jobIds, SyncJobSchema, type CollectJobData } from '../src/queue/jobs.ts';
import { abandonedRunCheck } from './abandoned-runs.ts';
import { withShare, type RunRef } from './run-scope.ts';
import type { JobRuntime } from './runtime.ts';

export const syncJob = defineJob({
  name: JOB_NAMES.sync,
  schema: SyncJobSchema,
  async run(job, data, rt: JobRuntime) {
    return rt.withContext(async (ctx) => {
      const kinds = data.kinds ?? (Object.keys(LISTINGS) as ListedKind[]);
      // The identity is in the job's data before anything can fail: every retry opens or resumes that run only.
      const runUuid = data.runUuid ?? randomUUID();
      if (!data.runUuid) await job.updateData({ ...data, runUuid });
      let opened: Awaited<ReturnType<typeof openCatalogRun>>;
      try {
        opened = await openCatalogRun(ctx.db, {
          mode: data.mode,
          kinds,
          uuid: runUuid,
          jobId: `${job.id}`,
          staleAfterMs: ctx.staleAfterMs ?? 600_000,
          isAbandoned: abandonedRunCheck(rt.mirror),
        });
      } catch (error) {
        if (error instanceof RunInProgressError) return { skipped: true, activeRunId: error.runId, reason: error.message };
        if (error instanceof RunEndedError) return { skipped: true, runId: error.runId, reason: error.message };
        throw error;
      }
      const ref: RunRef = { runId: opened.id, runUuid };
      if (data.runId !== opened.id) await job.updateData({ ...data, runUuid, runId: opened.id });
      const planned = await withShare(ctx, ref, async (run) => {
        const plan = await planRun(ctx, run, ref, kinds);
        await job.updateProgress({ runId: run.runId, jobs: plan.children.length });
        await addStage(rt.mirror, { name: JOB_NAMES.collect, data: plan.collect, jobId: jobIds.collect(runUuid) }, plan.children);
        return { runId: run.runId, runUuid, mode: run.mode, jobs: plan.children.length };
      });
      return 'skipped' in planned ? { runId: opened.id, runUuid, ...planned } : planned;
    });
  },
});

/** Plans every kind side by side (each waits on its own first page or manifest, so a run's start costs
 * one answer's latency, not one per kind); the children keep the order of `kinds`. */
async function planRun(ctx: SyncContext, run: RunScope, ref: RunRef, requested: ListedKind[]) {
  const kinds = [...new Set(requested)]; // each kind once, whatever the job's data says
  const listings: CollectJobData['listings'] = {};
  // One bound of pages held and stored for all the walks together, as in process (run-sync.ts).
  const shared = { ...ctx, pageSlots: ctx.pageSlots ?? pageSlots(ctx.concurrency) };
  // Referenced kinds (users) come after, planned by the collect job.
  const planned = await Promise.allSettled(
    kinds.filter((kind) => !LISTINGS[kind].referenced).map((kind) => planKind(shared, run, ref, kind, listings)),
  );
  const failed = planned.find((p) => p.status === 'rejected');
  if (failed) throw failed.reason;
  const children = planned.flatMap((p) => (p.status === 'fulfilled' ? p.value : []));
  // In the order of `kinds`, whichever kind was planned first.
  const ordered = Object.fromEntries(kinds.filter((kind) => listings[kind]).map((kind) => [kind, listings[kind]!]));
  const collect: CollectJobData = { ...ref, mode: run.mode, kinds, listings: ordered, snapshot: { ...run.tracker.snapshot() } };
  return { collect, children };
}

/** One kind's part of the plan: its page jobs (full walk) or its item jobs (incremental). */
async function planKind(ctx: SyncContext, run: RunScope, ref: RunRef, kind: ListedKind, listings: CollectJobData['listings']): Promise<StageChild[]> {
  const children: StageChild[] = [];
  const planPages = async () => {
    const lastPage = await planFullListing(ctx, run, kind, listings);
    for (let page = 2; page <= lastPage; page++) {
      const data = { ...ref, kind, page, pageSize: ctx.pageSize, last: page === lastPage };
      children.push({ name: JOB_NAMES.pages, data, jobId: jobIds.pages(ref.runUuid, kind, page) });
    }
  };
  if (run.mode === 'full') {
    await planPages();
    return children;
  }
  const manifest = await walkManifest(ctx, run, kind);
  const { walk } = manifest;
  if (preferFullWalk(manifest.toFetch.length, walk.total, ctx.pageSize)) {
    ctx.logger.info(
      { runId: run.runId, kind, toFetch: manifest.toFetch.length, total: walk.total },
      `${manifest.toFetch.length} of ${walk.total} ${kind} are new or changed: walking the listing again costs less than fetching them by id`,
    );
    await planPages();
    listings[kind]!.walked = true;
    return children;
  }
  run.tracker.addUnchanged(LISTINGS[kind].kind.entityType, manifest.unchanged);
  listings[kind] = { total: walk.total, failedPages: walk.failedPages, pages: walk.pages, complete: walk.complete };
  chunk(manifest.toFetch, ITEMS_PER_JOB).forEach((ids, index) => {
    children.push({ name: JOB_NAMES.items, data: { ...ref, kind, ids }, jobId: jobIds.items(ref.runUuid, 'fetch', kind, index) });
  });
  return children;
}

/** Stores page 1 and returns the last page number its total announces. */
async function planFullListing(ctx: SyncContext, run: RunScope, kind: ListedKind, listings: CollectJobData['listings']): Promise<number> {
  const first = await fetchAndStorePages(ctx, run, kind, [1]);
  const lastPage = lastPlannedPage(first.total, ctx.pageSize);
  listings[kind] = { total: first.total, failedPages: first.failedPages, pages: first.pages };
  if (lastPage > 1 || !first.hasNext) return lastPage;
  // A one-page listing may have grown meanwhile: the coordinator follows it itself.
  const tail = await fetchAndStorePages(ctx, run, kind, [2], { followTail: true });
  listings[kind].pages += tail.pages;
  listings[kind].failedPages.push(...tail.failedPages);
  return 1;
}
