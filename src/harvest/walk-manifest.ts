// The manifest pass of an incremental run: ids and stamps of a whole listing, compared page by page
// with the typed stamp columns, the day's metrics stored, the ids recorded for the sweep. Touches HTTP and Postgres.
import { onDatabase } from '../db/retry.ts';
import { idsToFetch, recordSeen } from '../db/sql/read-stamps.ts';
import { metricRowsOf, upsertMetricSnapshots } from '../db/sql/upsert-metric-snapshots.ts';
import { LISTINGS, type ListedKind } from './kinds/index.ts';
import { pageProgress, walkOptions, type ListingFilter } from './listing-walk-options.ts';
import { now, type RunScope, type SyncContext } from './sync-context.ts';
import { walkListing, type WalkResult } from './walk-listing.ts';

export interface ManifestOutcome {
  walk: WalkResult;
  /** New, restored or changed ids, to fetch in full. */
  toFetch: string[];
  /** Listed ids whose stamps did not move (counted by the caller once it knows how it fetches). */
  unchanged: number;
}

/** The manifest pass: ids and stamps of a whole listing, compared page by page with the typed stamp
 * columns; the ids are recorded in the run's state for the sweep. */
export async function walkManifest(ctx: SyncContext, run: RunScope, kindName: ListedKind, filter: ListingFilter = {}): Promise<ManifestOutcome> {
  const listing = LISTINGS[kindName];
  const toFetch = new Set<string>();
  let seen = 0;
  const pageSize = ctx.manifestPageSize ?? 1000;
  const progress = pageProgress(ctx, `${kindName} manifest`, pageSize);
  const walk = await walkListing(ctx.http, {
    ...walkOptions(ctx, listing, filter, pageSize),
    fields: listing.manifestFields,
    onPage: async (page) => {
      const items = page.items.flatMap((item) => {
        const id = (item as { id?: unknown } | null)?.id;
        return typeof id === 'string' ? [{ ...listing.stamps(item as Record<string, unknown>), id }] : [];
      });
      // Without stamp columns (users) a known entity is refreshed by the rotation, not here.
      const changed = await onDatabase(ctx, 'comparing stamps', () => idsToFetch(ctx.sql, listing.kind.table, listing.stampColumns, items));
      for (const id of changed) toFetch.add(id);
      seen += await onDatabase(ctx, 'recording seen ids', () => recordSeen(ctx.sql, run.runId, listing.name, items.map((i) => i.id)));
      const observedAt = now();
      const refused = await onDatabase(ctx, 'storing metrics', () =>
        upsertMetricSnapshots(ctx.sql, metricRowsOf(listing.kind.entityType, page.items), observedAt),
      );
      if (refused.length) ctx.logger.warn({ kind: kindName, entities: refused }, "metrics PostgreSQL refused: these entities have no snapshot today");
      run.tracker.counts.pages++;
      progress(page);
    },
  });
  return { walk, toFetch: [...toFetch], unchanged: seen - toFetch.size };
}
