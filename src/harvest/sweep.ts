// The deletion sweep: live rows the listing should show but a complete walk of this run did not
// record (an anti-join on run_seen_ids) are fetched by id and classified (410 deleted, 404
// not_found, 200 alive: upserted). Never inferred, capped. Touches HTTP and Postgres.
import { onDatabase } from '../db/retry.ts';
import { countListedLive, unseenLiveIds, type ListedScope } from '../db/sql/read-stamps.ts';
import type { Listing } from './kinds/index.ts';
import type { RunScope, SyncContext } from './sync-context.ts';
import { fetchAndStore } from './fetch-and-store.ts';

export interface SweepInput {
  listing: Listing;
  kindName: string;
  /** The walk fetched every page and saw as many ids as announced. */
  complete: boolean;
  scope?: { organizationId: string };
}

/** Returns a problem sentence when the sweep refused (the run then fails), else null. */
export async function sweepDeletions(ctx: SyncContext, run: RunScope, input: SweepInput): Promise<string | null> {
  const { listing, kindName } = input;
  if (!input.complete) {
    ctx.logger.warn({ kind: kindName }, 'listing walk incomplete: no deletion is inferred this run');
    return null;
  }
  const column = listing.kind.organizationColumn;
  const listed: ListedScope = {
    hidden: listing.hidden,
    scope: input.scope && column ? { column, value: input.scope.organizationId } : undefined,
  };
  const candidates = await onDatabase(ctx, 'reading deletion candidates', () =>
    unseenLiveIds(ctx.sql, listing.kind.table, run.runId, listing.name, listed),
  );
  if (candidates.length === 0) return null;
  const share = ctx.sweepMaxShare ?? 0.05;
  // The cap is a share of the mirror's table, also for a sweep scoped to one organization.
  const live = await onDatabase(ctx, 'counting live rows', () => countListedLive(ctx.sql, listing.kind.table, listed));
  if (candidates.length > share * live.table) {
    const pct = ((100 * candidates.length) / live.table).toFixed(1);
    return (
      `Deletion sweep of ${kindName} refused: ${candidates.length} of ${live.table} live rows (${pct}%) are missing ` +
      `from the listing, above the ${(share * 100).toFixed(1)}% cap (SWEEP_MAX_SHARE); nothing was tombstoned.`
    );
  }
  ctx.logger.info({ kind: kindName, candidates: candidates.length }, 'confirming deletion candidates');
  // Alive after all (archived, or missed by paging drift) are stored again; 410/404 are tombstoned.
  const unconfirmed = await fetchAndStore(ctx, run, `${kindName} deletion candidates`, listing, candidates);
  if (unconfirmed.length) {
    ctx.logger.warn({ kind: kindName, unconfirmed: unconfirmed.length }, 'some deletion candidates could not be checked: left for the next run');
  }
  return null;
}
