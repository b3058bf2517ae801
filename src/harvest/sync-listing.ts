// One listed kind in a run, in this process: full (every page stored) or incremental (manifest
// pass, then only new and changed entities fetched in full), then the confirmed deletion sweep. Each
// stage is a module of its own, so that queue jobs run the very same code on their share.
// Touches HTTP and Postgres.
import { concludeListing } from './conclude-listing.ts';
import { describeFetchFailures, fetchAndStore } from './fetch-and-store.ts';
import { LISTINGS, type ListedKind } from './kinds/index.ts';
import { pageProgress, walkOptions, type ListingFilter } from './listing-walk-options.ts';
import { storeListingPage } from './store-listing-page.ts';
import type { RunScope, SyncContext } from './sync-context.ts';
import { walkListing } from './walk-listing.ts';
import { walkManifest } from './walk-manifest.ts';
import { preferFullWalk } from './walk-plan.ts';

export type { ListingFilter } from './listing-walk-options.ts';

/** Runs one kind in this process; returns the sentences that make the run fail. */
export async function syncListing(ctx: SyncContext, run: RunScope, kindName: ListedKind, filter: ListingFilter = {}): Promise<string[]> {
  const listing = LISTINGS[kindName];
  if (run.mode === 'full') return walkAndStore(ctx, run, kindName, filter);
  const manifest = await walkManifest(ctx, run, kindName, filter);
  if (preferFullWalk(manifest.toFetch.length, manifest.walk.total, ctx.pageSize)) {
    ctx.logger.info(
      { kind: kindName, toFetch: manifest.toFetch.length, total: manifest.walk.total },
      `${manifest.toFetch.length} of ${manifest.walk.total} ${kindName} are new or changed: walking the listing again costs less than fetching them by id`,
    );
    return walkAndStore(ctx, run, kindName, filter);
  }
  run.tracker.addUnchanged(listing.kind.entityType, manifest.unchanged);
  const failed = await fetchAndStore(ctx, run, kindName, listing, manifest.toFetch);
  return [...describeFetchFailures(kindName, failed), ...(await concludeListing(ctx, run, kindName, manifest.walk, filter))];
}

/** Every page of the listing stored, then the walk concluded (a full run, or an incremental one that
 * found so much changed). */
async function walkAndStore(ctx: SyncContext, run: RunScope, kindName: ListedKind, filter: ListingFilter): Promise<string[]> {
  const listing = LISTINGS[kindName];
  const progress = pageProgress(ctx, kindName, ctx.pageSize);
  const walk = await walkListing(ctx.http, {
    ...walkOptions(ctx, listing, filter, ctx.pageSize),
    onPage: async (page) => {
      await storeListingPage(ctx, run, listing, page);
      progress(page);
    },
  });
  return concludeListing(ctx, run, kindName, walk, filter);
}
