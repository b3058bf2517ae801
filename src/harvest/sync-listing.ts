// One listed kind in a run: full (every page stored) or incremental (manifest pass, then only new
// and changed entities fetched in full), then the confirmed deletion sweep. Touches HTTP and Postgres.
import { readStamps } from '../db/sql/read-stamps.ts';
import { metricRowsOf, upsertMetricSnapshots } from '../db/sql/upsert-metric-snapshots.ts';
import { fetchById } from './fetch-by-id.ts';
import { LISTINGS, type ListedKind, type Listing } from './kinds/index.ts';
import { silentProgress } from './progress.ts';
import { stampOf, stampOfValues } from './stamps.ts';
import { storePage, storeTombstones } from './store-page.ts';
import { sweepDeletions } from './sweep.ts';
import { now, type RunScope, type SyncContext } from './sync-context.ts';
import { walkListing, type WalkResult } from './walk-listing.ts';

export interface ListingFilter {
  /** Extra query parameters (e.g. `organization`) and the matching scope of the deletion sweep. */
  query?: Record<string, string>;
  scope?: { organizationId: string };
}

/** Runs one kind; returns the sentences that make the run fail (lost pages, a refused sweep). */
export async function syncListing(
  ctx: SyncContext,
  run: RunScope,
  kindName: ListedKind,
  filter: ListingFilter = {},
): Promise<string[]> {
  const listing = LISTINGS[kindName];
  const { walk, seen } = run.mode === 'full'
    ? await walkAndStore(ctx, run, kindName, listing, filter)
    : await walkManifestAndFetch(ctx, run, kindName, listing, filter);
  run.tracker.addWalk(kindName, walk);
  const problems: string[] = [];
  if (walk.failedPages.length) {
    const pages = walk.failedPages.map((f) => f.page).join(', ');
    problems.push(`${walk.failedPages.length} page(s) of ${kindName} could not be fetched (pages ${pages}): ${walk.failedPages[0]!.error}`);
  }
  const refused = await sweepDeletions(ctx, run, { listing, kindName, seen, complete: walk.complete, scope: filter.scope });
  if (refused) problems.push(refused);
  return problems;
}

async function walkAndStore(ctx: SyncContext, run: RunScope, kindName: string, listing: Listing, filter: ListingFilter) {
  const seen = new Set<string>();
  const progress = pageProgress(ctx, kindName, ctx.pageSize);
  const walk = await walkListing(ctx.http, {
    path: listing.path,
    sort: listing.sort,
    pageSize: ctx.pageSize,
    query: filter.query,
    concurrency: ctx.concurrency,
    signal: ctx.signal,
    onPage: async (page) => {
      const result = await storePage(ctx.sql, listing.kind, page.items, {
        runId: run.runId,
        observedAt: now(),
        sourceUrl: page.sourceUrl,
      });
      for (const id of result.userIds) run.userIds.add(id);
      for (const id of idsOf(page.items)) seen.add(id);
      if (listing.kind.entityType === 'user') for (const id of idsOf(page.items)) run.fetchedUserIds.add(id);
      run.tracker.addPage(result);
      progress(page.total, page.items.length);
    },
  });
  return { walk, seen };
}

async function walkManifestAndFetch(ctx: SyncContext, run: RunScope, kindName: string, listing: Listing, filter: ListingFilter) {
  const stored = new Map(
    (await readStamps(ctx.sql, listing.kind.table, listing.stampPaths, filter.scope)).map((s) => [
      s.id,
      { deleted: s.deleted, stamp: stampOfValues(s.values) },
    ]),
  );
  const seen = new Set<string>();
  const toFetch: string[] = [];
  const pageSize = ctx.manifestPageSize ?? 1000;
  const progress = pageProgress(ctx, `${kindName} manifest`, pageSize);
  const walk: WalkResult = await walkListing(ctx.http, {
    path: listing.path,
    sort: listing.sort,
    pageSize,
    query: filter.query,
    fields: listing.manifestFields,
    concurrency: ctx.concurrency,
    signal: ctx.signal,
    onPage: async (page) => {
      for (const item of page.items) {
        const id = (item as { id?: unknown } | null)?.id;
        if (typeof id !== 'string' || seen.has(id)) continue;
        seen.add(id);
        const old = stored.get(id);
        // Without stamps (users) a known entity is refreshed by the rotation, not here.
        if (!old || old.deleted || (listing.stampPaths.length > 0 && old.stamp !== stampOf(item, listing.stampPaths))) {
          toFetch.push(id);
        }
      }
      await upsertMetricSnapshots(ctx.sql, metricRowsOf(listing.kind.entityType, page.items), now());
      run.tracker.counts.pages++;
      progress(page.total, page.items.length);
    },
  });
  run.tracker.addUnchanged(listing.kind.entityType, seen.size - toFetch.length);
  await fetchAndStore(ctx, run, kindName, listing, toFetch);
  return { walk, seen };
}

/** Fetches entities in full by id and stores them; gone ones (listed, then 404/410) are tombstoned. */
export async function fetchAndStore(ctx: SyncContext, run: RunScope, kindName: string, listing: Listing, ids: string[]) {
  const progress = ctx.progress ?? silentProgress;
  let done = 0;
  await fetchById(ctx.http, listing.path, ids, {
    concurrency: ctx.concurrency,
    signal: ctx.signal,
    onBatch: async (batch) => {
      const observedAt = now();
      const result = await storePage(ctx.sql, listing.kind, batch.found, {
        runId: run.runId,
        observedAt,
        sourceUrl: `${listing.path}{id}/`,
      });
      for (const id of result.userIds) run.userIds.add(id);
      if (listing.kind.entityType === 'user') for (const id of idsOf(batch.found)) run.fetchedUserIds.add(id);
      run.tracker.addCounts(result.counts);
      const gone = await storeTombstones(ctx.sql, listing.kind, batch.gone, { runId: run.runId, observedAt });
      run.tracker.addDeletions(listing.kind.entityType, gone.ids.length);
      run.tracker.addDeletions('resource', gone.resourceIds.length);
      done += batch.found.length + batch.gone.length;
      progress.update(`${kindName} by id`, done, ids.length, done);
    },
  });
}

function pageProgress(ctx: SyncContext, label: string, pageSize: number) {
  const progress = ctx.progress ?? silentProgress;
  let pages = 0;
  let items = 0;
  return (total: number, count: number) => {
    pages++;
    items += count;
    progress.update(label, pages, Math.max(1, Math.ceil(total / pageSize)), items);
  };
}

export function idsOf(items: unknown[]): string[] {
  return items.flatMap((item) => {
    const id = (item as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? [id] : [];
  });
}
