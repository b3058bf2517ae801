// Walks a paginated listing: page 1 for the total, then the rest concurrently within a bound,
// handing each page to `onPage` as it arrives (memory stays bounded). Touches HTTP via the client.
import pLimit from 'p-limit';
import { BannedError, HttpError } from '../api/errors/index.ts';
import { fetchListingPage, type ListingPage } from '../api/fetch-page.ts';
import type { HttpClient } from '../api/http-client.ts';

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
  /** Every page fetched and as many distinct ids as announced: only then may deletions be inferred. */
  complete: boolean;
}

export async function walkListing(http: HttpClient, options: WalkOptions): Promise<WalkResult> {
  const ids = new Set<string>();
  const failedPages: WalkResult['failedPages'] = [];
  let pages = 0;
  const fetchAndHandle = async (page: number): Promise<ListingPage | null> => {
    options.signal?.throwIfAborted();
    const result = await fetchListingPage(http, options.path, {
      page,
      pageSize: options.pageSize,
      sort: options.sort,
      query: options.query,
      fields: options.fields,
    });
    if ('pastEnd' in result) return null;
    for (const item of result.items) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') ids.add(id);
    }
    pages++;
    await options.onPage({ page, items: result.items, total: result.total, sourceUrl: pageUrl(options, page) });
    return result;
  };
  const guarded = async (page: number): Promise<ListingPage | null> => {
    try {
      return await fetchAndHandle(page);
    } catch (error) {
      // A ban or a database failure stops the walk; a page that kept failing is recorded and skipped.
      if (error instanceof BannedError || !isPageFailure(error) || isRefusal(error)) throw error;
      failedPages.push({ page, error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  };

  const first = await guarded(1);
  if (!first) return { total: 0, seen: 0, pages: 0, failedPages, complete: failedPages.length === 0 };
  const lastPage = Math.max(1, Math.ceil(first.total / options.pageSize));
  const limit = pLimit(options.concurrency);
  const results = await Promise.all(
    Array.from({ length: lastPage - 1 }, (_, i) => limit(() => guarded(i + 2))),
  );
  // Items created during the walk append at the end of an ascending sort: follow next_page past the plan.
  let tail = lastPage === 1 ? first : results.at(-1);
  let page = lastPage;
  while (tail?.nextPage && failedPages.length === 0) {
    page++;
    tail = await guarded(page);
  }
  return {
    total: first.total,
    seen: ids.size,
    pages,
    failedPages: failedPages.sort((a, b) => a.page - b.page),
    complete: failedPages.length === 0 && ids.size >= first.total,
  };
}

/** 401/403: the listing is closed to this caller (the users listing without an admin key), not a lost page. */
function isRefusal(error: unknown): boolean {
  return error instanceof HttpError && (error.status === 401 || error.status === 403);
}

/** Errors that belong to one page (HTTP, malformed envelope), as opposed to the run (ban, database, abort). */
function isPageFailure(error: unknown): boolean {
  return error instanceof Error && ['HttpError', 'MalformedResponseError', 'NetworkError'].includes(error.name);
}

function pageUrl(options: WalkOptions, page: number): string {
  const params = new URLSearchParams({ ...options.query, page: String(page), page_size: String(options.pageSize), sort: options.sort });
  return `${options.path}?${params}`;
}
