// One listed kind in a run: full (every page stored) or incremental (manifest pass, then only new
// and changed entities fetched in full), then the confirmed deletion sweep. The stages are exported
// one by one so that queue jobs run the very same code on their share. Touches HTTP and Postgres.
import { BannedError } from '../api/errors/index.ts';
import { fetchListingPage } from '../api/fetch-page.ts';
import { onDatabase } from '../db/retry.ts';
import { readStamps } from '../db/sql/read-stamps.ts';
import { metricRowsOf, upsertMetricSnapshots } from '../db/sql/upsert-metric-snapshots.ts';
import { fetchById } from './fetch-by-id.ts';
import { LISTINGS, type ListedKind, type Listing } from './kinds/index.ts';
import { silentProgress } from './progress.ts';
import { stampOf, stampOfValues } from './stamps.ts';
import { storePage, storeTombstones } from './store-page.ts';
import { sweepDeletions } from './sweep.ts';
import { now, type RunScope, type SyncContext } from './sync-context.ts';
import { describeIncompleteWalk, isPageFailure, listingPageUrl, walkListing, type FetchedListingPage, type WalkResult } from './walk-listing.ts';

export interface ListingFilter {
  /** Extra query parameters (e.g. `organization`) and the matching scope of the deletion sweep. */
  query?: Record<string, string>;
  scope?: { organizationId: string };
}

/** Runs one kind in this process; returns the sentences that make the run fail. */
export async function syncListing(ctx: SyncContext, run: RunScope, kindName: ListedKind, filter: ListingFilter = {}): Promise<string[]> {
  const listing = LISTINGS[kindName];
  if (run.mode === 'full') {
    const seen = new Set<string>();
    const progress = pageProgress(ctx, kindName, ctx.pageSize);
    const walk = await walkListing(ctx.http, {
      ...walkOptions(ctx, listing, filter, ctx.pageSize),
      onPage: async (page) => {
        for (const id of await storeListingPage(ctx, run, listing, page)) seen.add(id);
        progress(page);
      },
    });
    return concludeListing(ctx, run, kindName, walk, seen, filter);
  }
  const manifest = await walkManifest(ctx, run, kindName, filter);
  const failed = await fetchAndStore(ctx, run, kindName, listing, manifest.toFetch);
  return [...describeFetchFailures(kindName, failed), ...(await concludeListing(ctx, run, kindName, manifest.walk, manifest.seen, filter))];
}

/** Stores one fetched listing page; returns the ids it showed. */
export async function storeListingPage(ctx: SyncContext, run: RunScope, listing: Listing, page: FetchedListingPage): Promise<string[]> {
  ctx.signal?.throwIfAborted(); // an interrupted run stores nothing more
  const observedAt = now();
  const result = await onDatabase(ctx, 'storing a page', () =>
    storePage(ctx.sql, listing.kind, page.items, { runId: run.runId, observedAt, sourceUrl: page.sourceUrl }),
  );
  for (const id of result.userIds) run.userIds.add(id);
  const ids = idsOf(page.items);
  if (listing.kind.entityType === 'user') for (const id of ids) run.fetchedUserIds.add(id);
  run.tracker.addPage(result);
  return ids;
}

export interface PagesOutcome {
  ids: string[];
  failedPages: WalkResult['failedPages'];
  total: number;
  pages: number;
  /** The last page fetched announced a next one. */
  hasNext: boolean;
}

/** Fetches and stores the given pages one after another; with `followTail`, goes on past the last
 * one while the API announces a next page (items created during the run). A page that keeps failing
 * is reported, not thrown: the run goes on and infers no deletion for that kind. */
export async function fetchAndStorePages(
  ctx: SyncContext,
  run: RunScope,
  kindName: ListedKind,
  pages: number[],
  options: { filter?: ListingFilter; followTail?: boolean } = {},
): Promise<PagesOutcome> {
  const listing = LISTINGS[kindName];
  const outcome: PagesOutcome = { ids: [], failedPages: [], total: 0, pages: 0, hasNext: false };
  const queue = [...pages];
  while (queue.length) {
    const page = queue.shift()!;
    try {
      const result = await fetchListingPage(ctx.http, listing.path, {
        page,
        pageSize: ctx.pageSize,
        sort: listing.sort,
        query: options.filter?.query,
      });
      if ('pastEnd' in result) break;
      const sourceUrl = pageUrl(listing, options.filter, page, ctx.pageSize);
      outcome.ids.push(...(await storeListingPage(ctx, run, listing, { page, items: result.items, total: result.total, sourceUrl })));
      outcome.total = Math.max(outcome.total, result.total);
      outcome.pages++;
      outcome.hasNext = Boolean(result.nextPage);
      if (options.followTail && queue.length === 0 && result.nextPage) queue.push(page + 1);
    } catch (error) {
      if (error instanceof BannedError || !isPageFailure(error)) throw error;
      outcome.failedPages.push({ page, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcome;
}

export interface ManifestOutcome {
  walk: WalkResult;
  seen: Set<string>;
  /** New, restored or changed ids, to fetch in full. */
  toFetch: string[];
}

/** The manifest pass: ids and stamps of a whole listing, compared with the mirror. */
export async function walkManifest(ctx: SyncContext, run: RunScope, kindName: ListedKind, filter: ListingFilter = {}): Promise<ManifestOutcome> {
  const listing = LISTINGS[kindName];
  const stored = new Map(
    (await onDatabase(ctx, 'reading stamps', () => readStamps(ctx.sql, listing.kind.table, listing.stampPaths, filter.scope))).map((s) => [
      s.id,
      { deleted: s.deleted, stamp: stampOfValues(s.values) },
    ]),
  );
  const seen = new Set<string>();
  const toFetch: string[] = [];
  const pageSize = ctx.manifestPageSize ?? 1000;
  const progress = pageProgress(ctx, `${kindName} manifest`, pageSize);
  const walk = await walkListing(ctx.http, {
    ...walkOptions(ctx, listing, filter, pageSize),
    fields: listing.manifestFields,
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
      const observedAt = now();
      const refused = await onDatabase(ctx, 'storing metrics', () =>
        upsertMetricSnapshots(ctx.sql, metricRowsOf(listing.kind.entityType, page.items), observedAt),
      );
      if (refused.length) ctx.logger.warn({ kind: kindName, entities: refused }, "metrics PostgreSQL refused: these entities have no snapshot today");
      run.tracker.counts.pages++;
      progress(page);
    },
  });
  run.tracker.addUnchanged(listing.kind.entityType, seen.size - toFetch.length);
  return { walk, seen, toFetch };
}

/** Records the walk and sweeps deletions; returns the sentences that make the run fail. */
export async function concludeListing(
  ctx: SyncContext,
  run: RunScope,
  kindName: ListedKind,
  walk: WalkResult,
  seen: Set<string>,
  filter: ListingFilter = {},
): Promise<string[]> {
  run.tracker.addWalk(kindName, walk);
  const problems = describeIncompleteWalk(kindName, walk);
  const listing = LISTINGS[kindName];
  const refused = await sweepDeletions(ctx, run, { listing, kindName, seen, complete: walk.complete, scope: filter.scope });
  if (refused) problems.push(refused);
  return problems;
}

/** Fetches entities in full by id and stores them; gone ones (404/410) are tombstoned. Items that
 * kept failing are returned: nothing is lost, a later run asks for them again. */
export async function fetchAndStore(
  ctx: SyncContext,
  run: RunScope,
  kindName: string,
  listing: Listing,
  ids: string[],
): Promise<Array<{ id: string; error: string }>> {
  const progress = ctx.progress ?? silentProgress;
  const failed: Array<{ id: string; error: string }> = [];
  let done = 0;
  await fetchById(ctx.http, listing.path, ids, {
    concurrency: ctx.concurrency,
    signal: ctx.signal,
    onBatch: async (batch) => {
      ctx.signal?.throwIfAborted();
      const observedAt = now();
      const result = await onDatabase(ctx, 'storing a batch', () =>
        storePage(ctx.sql, listing.kind, batch.found, { runId: run.runId, observedAt, sourceUrl: `${listing.path}{id}/` }),
      );
      for (const id of result.userIds) run.userIds.add(id);
      if (listing.kind.entityType === 'user') for (const id of idsOf(batch.found)) run.fetchedUserIds.add(id);
      run.tracker.addCounts(result.counts);
      const gone = await onDatabase(ctx, 'storing deletions', () =>
        storeTombstones(ctx.sql, listing.kind, batch.gone, { runId: run.runId, observedAt }),
      );
      run.tracker.addDeletions(listing.kind.entityType, gone.ids.length);
      run.tracker.addDeletions('resource', gone.resourceIds.length);
      failed.push(...batch.failed);
      done += batch.found.length + batch.gone.length + batch.failed.length;
      progress.update(`${kindName} by id`, done, ids.length, done);
    },
  });
  return failed;
}

/** The sentence for entities that could not be fetched by id, or none. */
export function describeFetchFailures(kindName: string, failed: Array<{ id: string; error: string }>): string[] {
  if (failed.length === 0) return [];
  return [`${failed.length} ${kindName} could not be fetched by id (first: ${failed[0]!.id}: ${failed[0]!.error})`];
}

function walkOptions(ctx: SyncContext, listing: Listing, filter: ListingFilter, pageSize: number) {
  return { path: listing.path, sort: listing.sort, pageSize, query: filter.query, concurrency: ctx.concurrency, signal: ctx.signal };
}

/** Counts pages as they complete (out of order when fetched concurrently) for the progress line. */
function pageProgress(ctx: SyncContext, label: string, pageSize: number): (page: FetchedListingPage) => void {
  const progress = ctx.progress ?? silentProgress;
  let pages = 0;
  let items = 0;
  return (page) => {
    pages++;
    items += page.items.length;
    progress.update(label, pages, Math.max(1, Math.ceil(page.total / pageSize)), items);
  };
}

function pageUrl(listing: Listing, filter: ListingFilter | undefined, page: number, pageSize: number): string {
  return listingPageUrl(listing.path, { ...filter?.query, page: String(page), page_size: String(pageSize), sort: listing.sort });
}

export function idsOf(items: unknown[]): string[] {
  return items.flatMap((item) => {
    const id = (item as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? [id] : [];
  });
}
