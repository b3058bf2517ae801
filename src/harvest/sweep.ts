// The deletion sweep: ids the mirror has but a complete listing did not show are fetched by id and
// classified (410 deleted, 404 not_found, 200 alive: upserted). Never inferred, capped. Touches HTTP and Postgres.
import { readListedLiveIds } from '../db/sql/read-stamps.ts';
import { fetchById } from './fetch-by-id.ts';
import type { Listing } from './kinds/index.ts';
import { storePage, storeTombstones } from './store-page.ts';
import { now, type RunScope, type SyncContext } from './sync-context.ts';

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
  const live = await readListedLiveIds(ctx.sql, listing.kind.table, input.scope);
  const candidates = live.filter((id) => !input.seen.has(id));
  if (candidates.length === 0) return null;
  const share = ctx.sweepMaxShare ?? 0.05;
  if (candidates.length > share * live.length) {
    const pct = ((100 * candidates.length) / live.length).toFixed(1);
    return (
      `Deletion sweep of ${kindName} refused: ${candidates.length} of ${live.length} live rows (${pct}%) are missing ` +
      `from the listing, above the ${(share * 100).toFixed(1)}% cap (SWEEP_MAX_SHARE); nothing was tombstoned.`
    );
  }
  ctx.logger.info({ kind: kindName, candidates: candidates.length }, 'confirming deletion candidates');
  await fetchById(ctx.http, listing.path, candidates, {
    concurrency: ctx.concurrency,
    signal: ctx.signal,
    onBatch: async (batch) => {
      const observedAt = now();
      // Alive after all (archived, or missed by paging drift): stored like any fetched entity.
      const stored = await storePage(ctx.sql, listing.kind, batch.found, {
        runId: run.runId,
        observedAt,
        sourceUrl: `${listing.path}{id}/`,
      });
      run.tracker.addCounts(stored.counts);
      for (const id of stored.userIds) run.userIds.add(id);
      const gone = await storeTombstones(ctx.sql, listing.kind, batch.gone, { runId: run.runId, observedAt });
      run.tracker.addDeletions(listing.kind.entityType, gone.ids.length);
      run.tracker.addDeletions('resource', gone.resourceIds.length);
    },
  });
  return null;
}
