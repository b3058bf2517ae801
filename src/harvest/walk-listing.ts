// Walks a paginated listing: page 1 for the total, then the rest concurrently within a bound,
// handing each page to `onPage` as it arrives (memory stays bounded). Touches HTTP via the client.
import pLimit, { type LimitFunction } from 'p-limit';
import { BannedError } from '../api/errors/index.ts';
import { fetchListingPage } from '../api/fetch-page.ts';
import type { HttpClient } from '../api/http-client.ts';
import { isRefusal, isWalkComplete, lastPlannedPage, shouldFollowTail, shouldStopAsking } from './walk-plan.ts';

export interface WalkOptions {
  path: string;
  sort: string;
  pageSize: number;
  query?: Record<string, string>;
  /** `X-Fields` mask for manifest passes. */
  fields?: string;
  /** Pages fetched and processed at once. */
  concurrency: number;
  onPage(page: FetchedListingPage): Promise<void>;
  signal?: AbortSignal;
  /** Bounds shared by walks that run side by side (a run's listings): pages held at once and pages
   * being stored. Default: this walk's own, `concurrency + 1` and STORE_CONCURRENCY. */
  slots?: PageSlots;
}

export interface PageSlots {
  inMemory: LimitFunction;
  store: LimitFunction;
}

/** Bounds for one walk, or for several walking side by side: together they hold no more pages than one. */
export function pageSlots(concurrency: number): PageSlots {
  return { inMemory: pLimit(concurrency + 1), store: pLimit(STORE_CONCURRENCY) };
}

export interface FetchedListingPage {
  page: number;
  items: unknown[];
  total: number;
  sourceUrl: string;
}

export interface WalkResult {
  /** `total` announced by the first page. */
  total: number;
  /** Distinct ids seen across pages. */
  seen: number;
  pages: number;
  failedPages: Array<{ page: number; error: string }>;
  /** Pages not even tried: after too many failures the API is taken as down. */
  skippedPages?: number;
  /** Every page fetched and as many distinct ids as announced: only then may deletions be inferred. */
  complete: boolean;
}

export async function walkListing(http: HttpClient, options: WalkOptions): Promise<WalkResult> {
  const ids = new Set<string>();
  const failedPages: WalkResult['failedPages'] = [];
  let pages = 0;
  /** The smallest total announced: items deleted during the walk shrink it (missed ones are then
   * caught by the confirmed sweep as paging drift). */
  let total = Number.POSITIVE_INFINITY;
  /** Set by the first error that ends the walk: queued pages then stop instead of writing on. */
  let fatal: unknown;
  // Fetching and storing hold separate slots: a page being stored does not keep a request from starting.
  // Pages held at once (fetched, being stored, waiting to be stored) stay bounded by `inMemory`:
  // one more than the requests in flight, so a page being stored does not stall the fetching.
  const fetchSlots = pLimit(options.concurrency);
  const slots = options.slots ?? pageSlots(options.concurrency);
  const storeSlots = slots.store;
  /** Resolved once page 1 has answered: the other pages are asked for while it is stored. */
  let totalKnown!: () => void;
  const firstAnswered = new Promise<void>((resolve) => (totalKnown = resolve));
  const fetchAndHandle = async (page: number): Promise<string | null | undefined> => {
    options.signal?.throwIfAborted();
    const result = await fetchSlots(() =>
      fetchListingPage(http, options.path, {
        page,
        pageSize: options.pageSize,
        sort: options.sort,
        query: options.query,
        fields: options.fields,
      }),
    );
    if ('pastEnd' in result || fatal) return null;
    for (const item of result.items) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') ids.add(id);
    }
    pages++;
    total = Math.min(total, result.total);
    if (page === 1) totalKnown();
    await storeSlots(() => options.onPage({ page, items: result.items, total: result.total, sourceUrl: pageUrl(options, page) }));
    // Only the link to the next page is kept: pages are not held in memory.
    return result.nextPage;
  };
  const guarded = async (page: number): Promise<string | null | undefined> => {
    if (fatal || shouldStopAsking(failedPages.length)) return undefined;
    try {
      return await fetchAndHandle(page);
    } catch (error) {
      // A ban or a database failure stops the walk; a page that kept failing is recorded and skipped.
      if (error instanceof BannedError || !isPageFailure(error) || isRefusal(error)) {
        fatal ??= error;
        throw error;
      }
      failedPages.push({ page, error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  };

  // Page 1 gives the total; the other pages are asked for as soon as it has answered, while it is stored.
  const first = slots.inMemory(() => guarded(1));
  await Promise.race([firstAnswered, first]); // `first` settles alone when page 1 is past the end or lost
  if (pages === 0) {
    await first;
    return { total: 0, seen: 0, pages: 0, failedPages, complete: failedPages.length === 0 };
  }
  const lastPage = lastPlannedPage(total, options.pageSize);
  const [firstNext, nexts] = await Promise.all([
    first,
    Promise.all(Array.from({ length: lastPage - 1 }, (_, i) => slots.inMemory(() => guarded(i + 2)))),
  ]);
  // Items created during the walk append at the end of an ascending sort: follow next_page past the plan.
  let next = lastPage === 1 ? firstNext : nexts.at(-1);
  let page = lastPage;
  while (shouldFollowTail(Boolean(next), failedPages.length)) {
    page++;
    next = await guarded(page);
  }
  const skippedPages = Math.max(0, lastPage - pages - failedPages.length);
  return {
    total,
    seen: ids.size,
    pages,
    ...(shouldStopAsking(failedPages.length) && skippedPages > 0 ? { skippedPages } : {}),
    failedPages: failedPages.sort((a, b) => a.page - b.page),
    complete: isWalkComplete({ total, seen: ids.size, failedPages: failedPages.length }),
  };
}

/** The sentences that make a run fail when a walk is incomplete (no deletion is then inferred for the
 * kind): pages lost after their retries (errors, malformed or short answers), or fewer distinct ids than
 * the listing's total announced (a total larger than what the pages hold, pages shifted during the walk). */
export function describeIncompleteWalk(kindName: string, walk: WalkResult): string[] {
  if (walk.complete) return [];
  const consequence = `the ${kindName} listing is incomplete, so no deletion was inferred for ${kindName}`;
  if (walk.failedPages.length) {
    const pages = walk.failedPages.map((f) => f.page).join(', ');
    const skipped = walk.skippedPages ? ` and ${walk.skippedPages} more were not tried` : '';
    return [
      `${walk.failedPages.length} page(s) of ${kindName} could not be fetched (pages ${pages})${skipped}: ` +
        `${consequence}. First failure: ${walk.failedPages[0]!.error}`,
    ];
  }
  if (walk.seen < walk.total) {
    return [
      `The ${kindName} listing showed ${walk.seen} distinct ids where its total announced ${walk.total}: ` +
        `${consequence} (a total larger than what the listing holds, or pages shifted during the walk)`,
    ];
  }
  return [`Some pages of ${kindName} were not stored: ${consequence}`];
}

/** Pages stored at once: the database work of one page is a transaction of a few statements. */
const STORE_CONCURRENCY = 2;

/** Errors that belong to one page or item (HTTP, malformed body), as opposed to the run (ban, database, abort). */
export function isPageFailure(error: unknown): boolean {
  return error instanceof Error && ['HttpError', 'MalformedResponseError', 'NetworkError'].includes(error.name);
}

function pageUrl(options: WalkOptions, page: number): string {
  return listingPageUrl(options.path, { ...options.query, page: String(page), page_size: String(options.pageSize), sort: options.sort });
}

/** The path and query of a listing page, as recorded in `rejected_records.source_url`. */
export function listingPageUrl(path: string, params: Record<string, string>): string {
  return `${path}?${new URLSearchParams(params)}`;
}
