// Links a kind's items do not embed (a dataservice's datasets): read from the listing filtered by
// the parent, ids only, for the parents that announce some. A parent whose links could not be read
// keeps the links it has (a later run asks again). Touches HTTP via the client.
import pLimit from 'p-limit';
import { MalformedResponseError } from '../api/errors/index.ts';
import { fetchListingPage } from '../api/fetch-page.ts';
import type { HttpClient } from '../api/http-client.ts';
import type { EntityKind } from './kinds/index.ts';
import type { LinkRow } from './kinds/kind.ts';
import { isPageFailure } from './walk-listing.ts';

const PAGE_SIZE = 1000;

/** The fetched links of the given raw items, by parent id and link table. */
export async function fetchLinks(
  http: HttpClient,
  kind: EntityKind,
  items: unknown[],
  options: { signal?: AbortSignal; concurrency?: number; onFailure?(id: string, error: unknown): void } = {},
): Promise<Map<string, Record<string, LinkRow[]>> | undefined> {
  const fetched = kind.links.filter((link) => link.fetched);
  if (fetched.length === 0) return undefined;
  const out = new Map<string, Record<string, LinkRow[]>>();
  // Parents side by side, within the client's budget: a page of dataservices does not wait on each in turn.
  const limit = pLimit(options.concurrency ?? 4);
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (item === null || typeof item !== 'object') return;
        const raw = item as Record<string, unknown>;
        if (typeof raw.id !== 'string') return;
        const links: Record<string, LinkRow[]> = {};
        try {
          for (const link of fetched) {
            const spec = link.fetched!;
            const count = spec.count(raw);
            const ids = count > 0 ? await linkedIds(http, spec.path, { [spec.param]: raw.id }, count, options.signal) : [];
            links[link.table] = ids.map((id) => ({ [link.keyColumn]: id }));
          }
          out.set(raw.id, links);
        } catch (error) {
          if (!isPageFailure(error)) throw error;
          options.onFailure?.(raw.id, error);
        }
      }),
    ),
  );
  return out;
}

/** The ids the filtered listing shows. A parent links at most `count` (the listing hides some): a
 * larger total means the API ignored the filter (a parent purged meanwhile), and nothing is taken. */
async function linkedIds(http: HttpClient, path: string, query: Record<string, string>, count: number, signal?: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    signal?.throwIfAborted();
    const result = await fetchListingPage(http, path, { page, pageSize: PAGE_SIZE, sort: 'created', query, fields: 'data{id},total,page,page_size,next_page' });
    if ('pastEnd' in result) break;
    if (result.total > count) {
      throw new MalformedResponseError({ url: path, problem: `the ${Object.keys(query).join(',')} filter was ignored (${result.total} items for at most ${count})`, retryable: false });
    }
    for (const item of result.items) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') ids.push(id);
    }
    if (!result.nextPage) break;
  }
  return [...new Set(ids)];
}
