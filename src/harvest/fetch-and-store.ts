// Entities fetched in full by id and stored (changed entities of an incremental run, deletion
// candidates, users); gone ones (404/410) are tombstoned with what follows them. Touches HTTP and Postgres.
import { onDatabase } from '../db/retry.ts';
import { fetchById } from './fetch-by-id.ts';
import type { Listing } from './kinds/index.ts';
import { idsOf } from './listing-walk-options.ts';
import { silentProgress } from './progress.ts';
import { linksOf } from './store-listing-page.ts';
import { storePage, storeTombstones } from './store-page.ts';
import { now, type RunScope, type SyncContext } from './sync-context.ts';

/** Fetches entities in full by id and stores them; gone ones (404/410) are tombstoned. Items that
 * kept failing are returned: nothing is lost, a later run asks for them again. */
export async function fetchAndStore(
  ctx: SyncContext,
  run: RunScope,
  kindName: string,
  listing: Listing,
  ids: string[],
): Promise<Array<{ id: string; error: string }>> {
  const progress = ctx.progress ?? silentProgress;
  const failed: Array<{ id: string; error: string }> = [];
  let done = 0;
  await fetchById(ctx.http, listing.path, ids, {
    concurrency: ctx.concurrency,
    signal: ctx.signal,
    onBatch: async (batch) => {
      ctx.signal?.throwIfAborted();
      const fetchedLinks = await linksOf(ctx, listing, batch.found);
      const observedAt = now();
      const result = await onDatabase(ctx, 'storing a batch', () =>
        storePage(ctx.sql, listing.kind, batch.found, { runId: run.runId, observedAt, sourceUrl: `${listing.path}{id}/`, fetchedLinks }),
      );
      for (const id of result.userIds) run.userIds.add(id);
      if (listing.referenced) for (const id of [...idsOf(batch.found), ...batch.gone.map((g) => g.id)]) run.fetchedUserIds.add(id);
      run.tracker.addCounts(result.counts);
      const gone = await onDatabase(ctx, 'storing deletions', () =>
        storeTombstones(ctx.sql, listing.kind, batch.gone, { runId: run.runId, observedAt }),
      );
      run.tracker.addDeletions(listing.kind.entityType, gone.ids.length);
      for (const [type, ids] of Object.entries(gone.children)) run.tracker.addDeletions(type, ids.length);
      failed.push(...batch.failed);
      done += batch.found.length + batch.gone.length + batch.failed.length;
      progress.update(`${kindName} by id`, done, ids.length, done);
    },
  });
  return failed;
}

/** The sentence for entities that could not be fetched by id, or none. */
export function describeFetchFailures(kindName: string, failed: Array<{ id: string; error: string }>): string[] {
  if (failed.length === 0) return [];
  return [`${failed.length} ${kindName} could not be fetched by id (first: ${failed[0]!.id}: ${failed[0]!.error})`];
}
