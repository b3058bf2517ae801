// A small data.gouv.fr-shaped datasets API on 127.0.0.1 whose answers tests script page by page: the
// real envelope, 404 past the last page and 200/404/410 by id, items kept as JSON text (so that a
// record nested too deeply to stringify, or with NUL keys, is served as written). Touches HTTP.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFixture } from './fixtures.ts';

export const LISTING_PATH = '/api/1/datasets/';

export interface PageRequest {
  page: number;
  pageSize: number;
  /** 1 for the first request of this page number since the last reset, 2 for its retry... */
  hit: number;
}

/** A scripted answer: a body (JSON text, or HTML with `html`) in place of the listing's. */
export interface ScriptedAnswer {
  status?: number;
  text: string;
  html?: boolean;
}

export interface ListingServer {
  url: string;
  /** Dataset ids listed, in listing order. */
  listed: string[];
  /** JSON text of each dataset, by id (listed or not: by id, an unlisted one answers 410 when in `gone`). */
  items: Map<string, string>;
  gone: Set<string>;
  /** Requests received since the last reset, as `page=N` or the item path. */
  log: string[];
  /** Replaces the answer to a page request, or changes the state before it is answered. */
  script?: (request: PageRequest, server: ListingServer) => ScriptedAnswer | undefined;
  /** Announced instead of the real total (a lying total). */
  totalOverride?: number;
  /** The envelope of `items` as page `page` (used by scripts to build near-real answers). */
  envelope(page: number, pageSize: number, itemTexts: string[], total?: number): string;
  textsOf(page: number, pageSize: number): string[];
  reset(ids: string[]): void;
  close(): Promise<void>;
}

/** A v1 dataset built from the recorded fixture, with one resource; `extra` is spliced in as raw JSON text. */
export function datasetText(id: string, extra = ''): string {
  const fixture = readFixture<Record<string, unknown> & { resources: Array<Record<string, unknown>> }>('dataset-item.json');
  const dataset = { ...fixture, id, slug: `slug-${id}`, title: `Dataset ${id}`, resources: [{ ...fixture.resources[0]!, id: `${id}-r0` }] };
  const text = JSON.stringify(dataset);
  return extra ? `${text.slice(0, -1)},${extra}}` : text;
}

export async function startListingServer(ids: string[]): Promise<ListingServer> {
  const hits = new Map<number, number>();
  const server: ListingServer = {
    url: '',
    listed: [...ids],
    items: new Map(ids.map((id) => [id, datasetText(id)])),
    gone: new Set(),
    log: [],
    envelope(page, pageSize, itemTexts, total = server.totalOverride ?? server.listed.length) {
      const link = (n: number) => `${server.url}${LISTING_PATH}?page=${n}&page_size=${pageSize}&sort=created`;
      const next = page * pageSize < total ? JSON.stringify(link(page + 1)) : 'null';
      const previous = page > 1 ? JSON.stringify(link(page - 1)) : 'null';
      return `{"data":[${itemTexts.join(',')}],"page":${page},"page_size":${pageSize},"total":${total},"next_page":${next},"previous_page":${previous}}`;
    },
    textsOf(page, pageSize) {
      return server.listed.slice((page - 1) * pageSize, page * pageSize).map((id) => server.items.get(id)!);
    },
    reset(list) {
      server.listed = [...list];
      server.gone.clear();
      server.log.length = 0;
      server.script = undefined;
      server.totalOverride = undefined;
      hits.clear();
    },
    close: async () => {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, text: string, html = false) =>
      res.writeHead(status, { 'content-type': html ? 'text/html' : 'application/json' }).end(text);
    if (url.pathname === LISTING_PATH) {
      const page = Number(url.searchParams.get('page') ?? 1);
      const pageSize = Number(url.searchParams.get('page_size') ?? 20);
      server.log.push(`page=${page}`);
      const hit = (hits.get(page) ?? 0) + 1;
      hits.set(page, hit);
      const scripted = server.script?.({ page, pageSize, hit }, server);
      if (scripted) return send(scripted.status ?? 200, scripted.text, scripted.html);
      const texts = server.textsOf(page, pageSize);
      if (page > 1 && texts.length === 0) return send(404, '{"message":"Not Found"}');
      return send(200, server.envelope(page, pageSize, texts));
    }
    const id = decodeURIComponent(url.pathname.slice(LISTING_PATH.length).replace(/\/$/, ''));
    server.log.push(url.pathname);
    if (url.pathname.startsWith(LISTING_PATH) && server.gone.has(id)) return send(410, '{"message":"Deleted"}');
    const text = server.listed.includes(id) ? server.items.get(id) : undefined;
    return text ? send(200, text) : send(404, '{"message":"Not Found"}');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return server;
}
