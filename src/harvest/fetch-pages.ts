// Given pages of a listing fetched and stored one after another (the coordinator's first page and
// the queue's page jobs). Touches HTTP and Postgres.
import { BannedError } from '../api/errors/index.ts';
import { fetchListingPage } from '../api/fetch-page.ts';
import { LISTINGS, type ListedKind } from './kinds/index.ts';
import { pageUrl, type ListingFilter } from './listing-walk-options.ts';
import { storeListingPage } from './store-listing-page.ts';
import type { RunScope, SyncContext } from './sync-context.ts';
import { isPageFailure, type WalkResult } from './walk-listing.ts';

export interface PagesOutcome {
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
  const outcome: PagesOutcome = { failedPages: [], total: 0, pages: 0, hasNext: false };
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
      await storeListingPage(ctx, run, listing, { page, items: result.items, total: result.total, sourceUrl });
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
