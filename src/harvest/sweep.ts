// The deletion sweep: ids the mirror has but a complete listing did not show are fetched by id and
// classified (410 deleted, 404 not_found, 200 alive: upserted). Never inferred, capped. Touches HTTP and Postgres.
import { onDatabase } from '../db/retry.ts';
import { countListedLive, readListedLiveIds } from '../db/sql/read-stamps.ts';
import type { Listing } from './kinds/index.ts';
import type { RunScope, SyncContext } from './sync-context.ts';
import { fetchAndStore } from './sync-listing.ts';

export interface SweepInput {
  listing: Listing;
  kindName: string;
  /** Ids the listing showed. */
  seen: Set<string>;
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
  const live = await onDatabase(ctx, 'reading live ids', () => readListedLiveIds(ctx.sql, listing.kind.table, input.scope));
  const candidates = live.filter((id) => !input.seen.has(id));
  if (candidates.length === 0) return null;
  const share = ctx.sweepMaxShare ?? 0.05;
  // The cap is a share of the mirror's table, also for a sweep scoped to one organization.
  const liveInTable = input.scope ? await onDatabase(ctx, 'counting live rows', () => countListedLive(ctx.sql, listing.kind.table)) : live.length;
  if (candidates.length > share * liveInTable) {
    const pct = ((100 * candidates.length) / liveInTable).toFixed(1);
    return (
      `Deletion sweep of ${kindName} refused: ${candidates.length} of ${liveInTable} live rows (${pct}%) are missing ` +
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
