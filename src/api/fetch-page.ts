// One page of a data.gouv.fr listing: envelope and page-length validation, past-the-end, half-page
// split on 502/504. Touches HTTP via the client.
import { HttpError, MalformedResponseError } from './errors/index.ts';
import type { HttpClient } from './http-client.ts';
import { EnvelopeSchema, type Envelope } from './schemas/envelope.ts';
import { ShortPageError } from './short-page-error.ts';

export interface ListingPageParams {
  page: number;
  pageSize: number;
  sort?: string;
  query?: Record<string, string>;
  /** `X-Fields` mask; it applies to the envelope, so include `data{…},total,page,page_size,next_page`. */
  fields?: string;
  /** Retries of each request instead of the client's (the sub-pages of a split take fewer). */
  retries?: number;
}

export interface ListingPage {
  items: unknown[];
  total: number;
  nextPage: string | null;
  pageSize: number;
  page: number;
}

export interface PastEnd {
  pastEnd: true;
}

/** A page and the absolute URL it was requested with, to rebuild `next_page` after a split. */
interface FetchedPage {
  page: ListingPage;
  url: string;
}

/**
 * Fetches page `params.page`. A 404 on page > 1 means the listing ended (udata aborts past the
 * last page). A page that keeps failing with 502/504 (too heavy to render) is fetched again as
 * two half-size pages, recursively down to one item, and returned as the original page.
 */
export async function fetchListingPage(http: HttpClient, path: string, params: ListingPageParams): Promise<ListingPage | PastEnd> {
  const result = await fetchPageOrSplit(http, path, params);
  return 'pastEnd' in result ? result : result.page;
}

async function fetchPageOrSplit(http: HttpClient, path: string, params: ListingPageParams): Promise<FetchedPage | PastEnd> {
  try {
    return await fetchOnePage(http, path, params);
  } catch (error) {
    if (!isGatewayFailure(error) || params.pageSize <= 1) throw error;
    return fetchAsHalfPages(http, path, params, error);
  }
}

async function fetchOnePage(http: HttpClient, path: string, params: ListingPageParams): Promise<FetchedPage | PastEnd> {
  const res = await http.getJson(path, {
    query: { ...params.query, page: params.page, page_size: params.pageSize, sort: params.sort },
    headers: params.fields ? { 'x-fields': params.fields } : {},
    // A masked page's records are partial, never stored: no hash of theirs is ever asked for.
    recordHashes: !params.fields,
    allowStatus: params.page > 1 ? [404] : [],
    retries: params.retries,
    // Validated inside the attempt so a bad envelope (truncated by a proxy) or a short page is retried by the client.
    validate: (body, url) => {
      assertEnvelope(body, url);
      assertFullPage(body as Envelope, params.page, url);
    },
  });
  if (res.status === 404) return { pastEnd: true };
  const envelope = EnvelopeSchema.parse(res.body);
  return {
    url: res.url,
    page: { items: envelope.data, total: envelope.total, nextPage: envelope.next_page, pageSize: envelope.page_size, page: envelope.page },
  };
}

/**
 * Page n of size p covers items [(n-1)p, np). Fetch that range with pages of size ceil(p/2):
 * pages 2n-1 and 2n when p is even; an odd p needs up to three pages, sliced to the range.
 */
async function fetchAsHalfPages(http: HttpClient, path: string, params: ListingPageParams, cause: unknown): Promise<FetchedPage | PastEnd> {
  const start = (params.page - 1) * params.pageSize;
  const end = start + params.pageSize;
  const size = Math.ceil(params.pageSize / 2);
  const items: unknown[] = [];
  let last: FetchedPage | undefined;
  for (let page = Math.floor(start / size) + 1; (page - 1) * size < end; page += 1) {
    // The whole page already had its retries: a half page that fails again is split further, not hammered.
    const sub = await fetchPageOrSplit(http, path, { ...params, page, pageSize: size, retries: Math.min(params.retries ?? 1, 1) });
    if ('pastEnd' in sub) break;
    if (sub.page.pageSize !== size) {
      const problem = `asked page_size ${size} while splitting a failing page, got ${sub.page.pageSize}`;
      throw new MalformedResponseError({ url: sub.url, problem, retryable: false }, { cause });
    }
    const offset = (page - 1) * size;
    items.push(...sub.page.items.slice(Math.max(0, start - offset), end - offset));
    last = sub;
    if (sub.page.items.length < size) break; // the listing ends inside this range
  }
  if (!last) return { pastEnd: true };
  const { total } = last.page;
  return {
    url: withPage(last.url, params.page, params.pageSize),
    page: {
      items,
      total,
      nextPage: end < total ? withPage(last.url, params.page + 1, params.pageSize) : null,
      pageSize: params.pageSize,
      page: params.page,
    },
  };
}

function assertEnvelope(body: unknown, url: string): void {
  const parsed = EnvelopeSchema.safeParse(body);
  if (parsed.success) return;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new MalformedResponseError({ url, problem: `invalid page envelope: ${issues.join('; ')}` });
}

/** Items page `page` must hold by its own `total` and `page_size` (a page past the end: none). */
export function expectedItems(page: number, pageSize: number, total: number): number {
  return Math.max(0, Math.min(pageSize, total - (page - 1) * pageSize));
}

/** A page with fewer items than its place in `total` requires (a 200 with `data: []` before the end, a
 * lying `total`) would silently lose entities: it is a malformed answer, retried, then a lost page. Each
 * page is judged by its own `total`, so items deleted during a walk do not make a later page short. */
function assertFullPage(envelope: Envelope, page: number, url: string): void {
  const expected = expectedItems(page, envelope.page_size, envelope.total);
  if (envelope.data.length >= expected) return;
  throw new ShortPageError({ url, page, items: envelope.data.length, total: envelope.total, pageSize: envelope.page_size, expected });
}

function isGatewayFailure(error: unknown): boolean {
  return error instanceof HttpError && (error.status === 502 || error.status === 504);
}

function withPage(url: string, page: number, pageSize: number): string {
  const next = new URL(url);
  next.searchParams.set('page', String(page));
  next.searchParams.set('page_size', String(pageSize));
  return next.href;
}
