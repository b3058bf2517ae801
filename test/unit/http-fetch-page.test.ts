// fetchListingPage against a loopback udata-like listing: envelope, past-the-end, half-page split on 502/504. Touches HTTP.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError, MalformedResponseError } from '../../src/api/errors/index.ts';
import { fetchListingPage } from '../../src/api/fetch-page.ts';
import { createHttpClient } from '../../src/api/http-client.ts';
import { createLocalBudget } from '../../src/api/request-budget.ts';
import { spanHashOf } from '../../src/api/record-spans.ts';
import '../../src/harvest/kinds/index.ts'; // sets how bodies' records are hashed

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface ListingOptions {
  total: number;
  /** Pages bigger than this answer `failStatus` (too heavy to render). */
  maxPageSize?: number;
  failStatus?: number;
  /** Replaces the body of the given hit. */
  override?: (hit: number) => unknown;
  /** Every request answers 404 (unknown endpoint). */
  notFound?: boolean;
}

/** A udata-like paginated listing of items `{ id: 'd<index>' }`; 404 past the last page, as udata does. */
async function startListing(opts: ListingOptions) {
  const state = { url: '', hits: 0, seen: [] as string[], fields: [] as (string | undefined)[] };
  const items = Array.from({ length: opts.total }, (_, i) => ({ id: `d${i}` }));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.hits += 1;
    const url = new URL(req.url ?? '/', state.url);
    const page = Number(url.searchParams.get('page'));
    const size = Number(url.searchParams.get('page_size'));
    state.seen.push(`${page}/${size}`);
    state.fields.push(req.headers['x-fields'] as string | undefined);
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const override = opts.override?.(state.hits);
    if (override !== undefined) return send(200, override);
    if (opts.notFound) return send(404, { message: 'not found' });
    if (size > (opts.maxPageSize ?? Infinity)) return send(opts.failStatus ?? 502, { message: 'Bad Gateway' });
    const data = items.slice((page - 1) * size, page * size);
    if (page > 1 && data.length === 0) return send(404, { message: 'not found' });
    const next = page * size < opts.total ? new URL(url) : null;
    next?.searchParams.set('page', String(page + 1));
    send(200, { data, page, page_size: size, total: opts.total, next_page: next?.href ?? null, previous_page: null });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return state;
}

function clientFor(url: string, retries = 1) {
  const budget = createLocalBudget({ maxConcurrency: 4, requestsPerSecond: 1000 });
  const http = createHttpClient({ baseUrl: url, budget, retries, minRetryDelayMs: 0, maxRetryDelayMs: 0 });
  cleanups.push(() => http.close());
  return http;
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ id: `d${from + i}` }));

describe('fetchListingPage', () => {
  it('returns the validated page and sends sort, filters and X-Fields', async () => {
    const server = await startListing({ total: 25 });
    const page = await fetchListingPage(clientFor(server.url), '/api/1/datasets/', {
      page: 2,
      pageSize: 10,
      sort: 'created',
      query: { organization: 'abc' },
      fields: 'data{id},total,page,page_size,next_page',
    });
    expect(page).toEqual({ items: ids(10, 20), total: 25, page: 2, pageSize: 10, nextPage: expect.stringContaining('page=3') });
    expect(server.fields).toEqual(['data{id},total,page,page_size,next_page']);
  });

  it("hashes a full page's records as it is read, and not a masked page's (never stored)", async () => {
    const server = await startListing({ total: 25 });
    const http = clientFor(server.url);
    const full = await fetchListingPage(http, '/api/1/datasets/', { page: 1, pageSize: 10 });
    const masked = await fetchListingPage(http, '/api/1/datasets/', { page: 1, pageSize: 10, fields: 'data{id},total,page,page_size,next_page' });
    if ('pastEnd' in full || 'pastEnd' in masked) throw new Error('expected pages');
    for (const item of full.items) expect(spanHashOf(item)).toMatchObject({ parentId: null, omit: '' });
    for (const item of masked.items) expect(spanHashOf(item)).toBeUndefined();
  });

  it('reports pastEnd on a 404 after the last page', async () => {
    const server = await startListing({ total: 25 });
    await expect(fetchListingPage(clientFor(server.url), '/api/1/datasets/', { page: 4, pageSize: 10 })).resolves.toEqual({ pastEnd: true });
  });

  it('treats a 404 on page 1 as an error, not the end', async () => {
    const server = await startListing({ total: 0, notFound: true });
    const error = await fetchListingPage(clientFor(server.url), '/api/1/nowhere/', { page: 1, pageSize: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 404 });
    expect(server.hits).toBe(1);
  });

  it('returns an empty first page of an empty listing', async () => {
    const server = await startListing({ total: 0 });
    const page = await fetchListingPage(clientFor(server.url), '/x', { page: 1, pageSize: 10 });
    expect(page).toEqual({ items: [], total: 0, page: 1, pageSize: 10, nextPage: null });
  });

  it('retries an invalid envelope and then fails with MalformedResponseError', async () => {
    const flaky = await startListing({ total: 5, override: (hit) => (hit === 1 ? { data: 'oops' } : undefined) });
    await expect(fetchListingPage(clientFor(flaky.url), '/x', { page: 1, pageSize: 5 })).resolves.toMatchObject({ items: ids(0, 5) });
    expect(flaky.hits).toBe(2);

    const broken = await startListing({ total: 5, override: () => ({ data: [], total: '5' }) });
    const error = await fetchListingPage(clientFor(broken.url, 2), '/x', { page: 1, pageSize: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(/invalid page envelope: total/);
    expect(broken.hits).toBe(3);
  });
});

describe('pages shorter than their total requires', () => {
  const envelope = (page: number, data: unknown[], total: number) => ({ data, page, page_size: 10, total, next_page: null, previous_page: null });

  it('retries a page with data: [] before the end and takes the right answer', async () => {
    const server = await startListing({ total: 25, override: (hit) => (hit === 1 ? envelope(2, [], 25) : undefined) });
    await expect(fetchListingPage(clientFor(server.url), '/x', { page: 2, pageSize: 10 })).resolves.toMatchObject({ items: ids(10, 20) });
    expect(server.hits).toBe(2);
  });

  it('fails with MalformedResponseError naming the counts when the last page stays short', async () => {
    const server = await startListing({ total: 25, override: () => envelope(3, ids(20, 23), 25) });
    const error = await fetchListingPage(clientFor(server.url, 2), '/x', { page: 3, pageSize: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(/page 3 lists 3 items where its total of 25 at page_size 10 requires 5/);
    expect(server.hits).toBe(3);
  });

  it('judges each page by its own total: a total that shrank during the walk is not a short page', async () => {
    const server = await startListing({ total: 25, override: () => envelope(3, ids(20, 22), 22) });
    await expect(fetchListingPage(clientFor(server.url), '/x', { page: 3, pageSize: 10 })).resolves.toMatchObject({ total: 22 });
    expect(server.hits).toBe(1);
  });

  it('accepts a partial last page and an empty first page of an empty listing', async () => {
    const server = await startListing({ total: 25 });
    await expect(fetchListingPage(clientFor(server.url), '/x', { page: 3, pageSize: 10 })).resolves.toMatchObject({ items: ids(20, 25) });
    expect(server.hits).toBe(1);
  });
});

describe('half-page split on 502/504', () => {
  it.each([502, 504])('rebuilds a page that keeps failing with %i from half-size pages, in order', async (failStatus) => {
    const server = await startListing({ total: 50, maxPageSize: 2, failStatus });
    const page = await fetchListingPage(clientFor(server.url), '/api/1/datasets/', { page: 3, pageSize: 8, sort: 'created' });
    expect(page).toEqual({ items: ids(16, 24), total: 50, page: 3, pageSize: 8, nextPage: expect.any(String) });
    const next = new URL((page as { nextPage: string }).nextPage);
    expect([next.searchParams.get('page'), next.searchParams.get('page_size'), next.searchParams.get('sort')]).toEqual(['4', '8', 'created']);
    // 8 fails; its halves (pages 5, 6 of 4) fail; their halves (pages 9..12 of 2) succeed.
    expect(server.seen.filter((s) => s.endsWith('/2'))).toEqual(['9/2', '10/2', '11/2', '12/2']);
  });

  it('splits odd page sizes down to one item and stops at the end of the listing', async () => {
    const server = await startListing({ total: 13, maxPageSize: 1 });
    const page = await fetchListingPage(clientFor(server.url), '/x', { page: 3, pageSize: 5 });
    expect(page).toEqual({ items: ids(10, 13), total: 13, page: 3, pageSize: 5, nextPage: null });
  });

  it('gives up with the HttpError when even single items fail', async () => {
    const server = await startListing({ total: 10, maxPageSize: 0 });
    const error = await fetchListingPage(clientFor(server.url), '/x', { page: 1, pageSize: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 502 });
  });
});
