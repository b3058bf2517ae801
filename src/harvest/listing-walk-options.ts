// What the listing stages share: the filter of a scoped walk, the walk options a context gives, the
// progress of pages, and the page URLs recorded in rejected_records. Pure apart from the progress sink.
import type { Listing } from './kinds/index.ts';
import { silentProgress } from './progress.ts';
import type { SyncContext } from './sync-context.ts';
import { listingPageUrl, type FetchedListingPage } from './walk-listing.ts';

export interface ListingFilter {
  /** Extra query parameters (e.g. `organization`) and the matching scope of the deletion sweep. */
  query?: Record<string, string>;
  scope?: { organizationId: string };
}

export function walkOptions(ctx: SyncContext, listing: Listing, filter: ListingFilter, pageSize: number) {
  return { path: listing.path, sort: listing.sort, pageSize, query: filter.query, concurrency: ctx.concurrency, signal: ctx.signal, slots: ctx.pageSlots };
}

/** Counts pages as they complete (out of order when fetched concurrently) for the progress line. */
export function pageProgress(ctx: SyncContext, label: string, pageSize: number): (page: FetchedListingPage) => void {
  const progress = ctx.progress ?? silentProgress;
  let pages = 0;
  let items = 0;
  return (page) => {
    pages++;
    items += page.items.length;
    progress.update(label, pages, Math.max(1, Math.ceil(page.total / pageSize)), items);
  };
}

export function pageUrl(listing: Listing, filter: ListingFilter | undefined, page: number, pageSize: number): string {
  return listingPageUrl(listing.path, { ...filter?.query, page: String(page), page_size: String(pageSize), sort: listing.sort });
}

export function idsOf(items: unknown[]): string[] {
  return items.flatMap((item) => {
    const id = (item as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? [id] : [];
  });
}
