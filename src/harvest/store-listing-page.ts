// Stores one fetched listing page: the links its items do not embed are read first, the page is
// stored in one transaction, and the ids it showed are recorded in the run's state. Touches HTTP and Postgres.
import { onDatabase } from '../db/retry.ts';
import { recordSeen } from '../db/sql/read-stamps.ts';
import { fetchLinks } from './fetch-links.ts';
import type { Listing } from './kinds/index.ts';
import { idsOf } from './listing-walk-options.ts';
import { storePage } from './store-page.ts';
import { now, type RunScope, type SyncContext } from './sync-context.ts';
import type { FetchedListingPage } from './walk-listing.ts';

/** Stores one fetched listing page (and the links its items do not embed), and records the ids it
 * showed in the run's state. */
export async function storeListingPage(ctx: SyncContext, run: RunScope, listing: Listing, page: FetchedListingPage): Promise<void> {
  ctx.signal?.throwIfAborted(); // an interrupted run stores nothing more
  const fetchedLinks = await linksOf(ctx, listing, page.items);
  const observedAt = now();
  const result = await onDatabase(ctx, 'storing a page', () =>
    storePage(ctx.sql, listing.kind, page.items, { runId: run.runId, observedAt, sourceUrl: page.sourceUrl, fetchedLinks }),
  );
  for (const id of result.userIds) {
    if (run.userIds.has(id)) continue;
    run.userIds.add(id);
    run.onNewUser?.(id);
  }
  const ids = idsOf(page.items);
  await onDatabase(ctx, 'recording seen ids', () => recordSeen(ctx.sql, run.runId, listing.name, ids));
  if (listing.referenced) for (const id of ids) run.fetchedUserIds.add(id);
  run.tracker.addPage(result);
}

/** The links the items do not embed, read now; a parent whose links fail keeps its stored ones. */
export function linksOf(ctx: SyncContext, listing: Listing, items: unknown[]) {
  return fetchLinks(ctx.http, listing.kind, items, {
    signal: ctx.signal,
    concurrency: ctx.concurrency,
    onFailure: (id, error) => ctx.logger.warn({ kind: listing.name, id, err: error }, 'links could not be read: the stored ones are kept'),
  });
}
