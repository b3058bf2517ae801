// The raw floor: the mirror's listing pages (and the filtered pages of links items do not embed) and referenced users, same client/page size/concurrency, COPYed as raw jsonb into one unlogged table. Touches Postgres and HTTP.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import pLimit from 'p-limit';
import postgres from 'postgres';
import { fetchListingPage } from '../src/api/fetch-page.ts';
import type { HttpClient } from '../src/api/http-client.ts';
import { itemPath } from '../src/harvest/fetch-by-id.ts';
import { LISTINGS, PRIMARY_KINDS, type ListedKind } from '../src/harvest/kinds/index.ts';
import { cpuByProcessWindow, machineCpuWindow, waitForQuietMachine } from './cpu.ts';
import { say } from './report.ts';
import { benchConfig, benchHttpClient, type MirrorSettings } from './mirror.ts';

export interface FloorResult {
  seconds: number;
  /** Until the last listing page was written (users by id not yet fetched). */
  listingsSeconds: number;
  requests: number;
  /** Response body bytes received. */
  bytes: number;
  pages: number;
  rows: number;
  users: number;
  machineCpuBusy: number | null;
  cpuByProcess: Record<string, number>;
}

/** COPY text format: the JSON has no raw newline or tab, but its backslashes must be doubled. */
const copyLine = (item: unknown): string => `${JSON.stringify(item).replaceAll('\\', '\\\\')}\n`;

async function write(copy: Writable, chunk: string): Promise<void> {
  if (!copy.write(chunk)) await once(copy, 'drain');
}

/** The users a harvester discovers from what it listed: owners and organization members. */
function collectUserIds(items: unknown[], into: Set<string>): void {
  for (const item of items as Array<Record<string, unknown> | null>) {
    const owner = item?.['owner'] as { id?: unknown } | null | undefined;
    if (typeof owner?.id === 'string') into.add(owner.id);
    const members = item?.['members'];
    if (!Array.isArray(members)) continue;
    for (const m of members as Array<{ user?: { id?: unknown } } | null>) if (typeof m?.user?.id === 'string') into.add(m.user.id);
  }
}

/** The pages of the filtered listing the mirror reads for links an item does not embed (a dataservice's
 * datasets), with the same page size and field mask, for the items that announce some. */
async function copyFetchedLinks(http: HttpClient, copy: Writable, kind: ListedKind, items: unknown[]): Promise<number> {
  let pages = 0;
  for (const link of LISTINGS[kind].kind.links) {
    const spec = link.fetched;
    if (!spec) continue;
    for (const item of items as Array<Record<string, unknown> | null>) {
      if (typeof item?.['id'] !== 'string' || spec.count(item) <= 0) continue;
      for (let page = 1; ; page++) {
        const result = await fetchListingPage(http, spec.path, { page, pageSize: 1000, sort: 'created', query: { [spec.param]: item['id'] }, fields: 'data{id},total,page,page_size,next_page' });
        if ('pastEnd' in result) break;
        pages++;
        await write(copy, copyLine({ parent: item['id'], ids: result.items }));
        if (!result.nextPage) break;
      }
    }
  }
  return pages;
}

async function copyListing(http: HttpClient, copy: Writable, kind: ListedKind, s: MirrorSettings, users: Set<string>) {
  const listing = LISTINGS[kind];
  let pages = 0;
  let rows = 0;
  const one = async (page: number) => {
    const result = await fetchListingPage(http, listing.path, { page, pageSize: s.pageSize, sort: listing.sort });
    if ('pastEnd' in result) return 0;
    collectUserIds(result.items, users);
    await write(copy, result.items.map(copyLine).join(''));
    pages += 1 + (await copyFetchedLinks(http, copy, kind, result.items));
    rows += result.items.length;
    return result.total;
  };
  const total = await one(1);
  const limit = pLimit(s.concurrency);
  const last = Math.max(1, Math.ceil(total / s.pageSize));
  await Promise.all(Array.from({ length: last - 1 }, (_, i) => limit(() => one(i + 2))));
  return { pages, rows };
}

export async function measureFloor(databaseUrl: string, baseUrl: string, s: MirrorSettings, roles: Record<string, number[]> = {}): Promise<FloorResult> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const http = benchHttpClient(benchConfig(databaseUrl, baseUrl, s), s);
  try {
    await sql`create unlogged table bench_raw (raw jsonb not null)`;
    await waitForQuietMachine(say);
    const started = performance.now();
    const machine = machineCpuWindow();
    const byProcess = cpuByProcessWindow();
    const copy = await sql`copy bench_raw (raw) from stdin`.writable();
    const users = new Set<string>();
    let pages = 0;
    let rows = 0;
    for (const kind of PRIMARY_KINDS) {
      const done = await copyListing(http, copy, kind, s, users);
      pages += done.pages;
      rows += done.rows;
    }
    const listingsSeconds = (performance.now() - started) / 1000;
    const limit = pLimit(s.concurrency);
    await Promise.all(
      [...users].sort().map((id) =>
        limit(async () => {
          const res = await http.getJson(itemPath(LISTINGS.users.path, id), { allowStatus: [404, 410] });
          if (res.status !== 200) return;
          rows++;
          await write(copy, copyLine(res.body));
        }),
      ),
    );
    copy.end();
    await finished(copy);
    return {
      seconds: (performance.now() - started) / 1000,
      listingsSeconds,
      requests: http.stats.requests,
      bytes: http.stats.bytes,
      pages,
      rows,
      users: users.size,
      machineCpuBusy: machine().machine_cpu_busy,
      cpuByProcess: byProcess({ ...roles, floor: [process.pid] }),
    };
  } finally {
    await http.close();
    await sql.end({ timeout: 5 });
  }
}
