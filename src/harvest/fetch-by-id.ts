// Fetches entities one by one by id, in batches handed to a callback: 200 found, 410 deleted,
// 404 not found (purged or made private). An item that keeps failing is reported, not thrown, so
// one broken entity does not stop a run. Touches HTTP via the client.
import pLimit from 'p-limit';
import type { HttpClient } from '../api/http-client.ts';
import { isPageFailure } from './walk-listing.ts';

export interface FetchedBatch {
  found: unknown[];
  gone: Array<{ id: string; reason: 'deleted' | 'not_found' }>;
  failed: Array<{ id: string; error: string }>;
}

/** `/api/1/datasets/` + id + `/`: every item route takes the id as its last segment. */
export function itemPath(listingPath: string, id: string): string {
  return `${listingPath}${encodeURIComponent(id)}/`;
}

export async function fetchById(
  http: HttpClient,
  listingPath: string,
  ids: string[],
  options: { concurrency: number; batchSize?: number; signal?: AbortSignal; onBatch(batch: FetchedBatch): Promise<void> },
): Promise<void> {
  const batchSize = options.batchSize ?? 100;
  const limit = pLimit(options.concurrency);
  // The batch just fetched is stored while the next one is fetched: requests do not wait for the database.
  let storing: Promise<void> = Promise.resolve();
  for (let start = 0; start < ids.length; start += batchSize) {
    options.signal?.throwIfAborted();
    const batch = await fetchBatch(http, listingPath, ids.slice(start, start + batchSize), limit, options.signal);
    await storing;
    storing = options.onBatch(batch);
    storing.catch(() => {}); // awaited at the next batch or below; this only keeps it from counting as unhandled
  }
  await storing;
}

async function fetchBatch(
  http: HttpClient,
  listingPath: string,
  ids: string[],
  limit: ReturnType<typeof pLimit>,
  signal: AbortSignal | undefined,
): Promise<FetchedBatch> {
  const batch: FetchedBatch = { found: [], gone: [], failed: [] };
  let fatal: unknown;
  await Promise.all(
    ids.map((id) =>
      limit(async () => {
        if (fatal) return; // a ban or an abort: no more requests
        try {
          const res = await http.getJson(itemPath(listingPath, id), { allowStatus: [404, 410], signal });
          if (res.status === 410) batch.gone.push({ id, reason: 'deleted' });
          else if (res.status === 404) batch.gone.push({ id, reason: 'not_found' });
          else batch.found.push(res.body);
        } catch (error) {
          if (!isPageFailure(error)) fatal ??= error;
          else batch.failed.push({ id, error: error instanceof Error ? error.message : String(error) });
        }
      }),
    ),
  );
  if (fatal) throw fatal;
  return batch;
}
