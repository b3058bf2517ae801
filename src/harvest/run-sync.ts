// One sync run, in this process: opens the ledger row, syncs the listed kinds side by side, then users, and closes the
// row as succeeded or failed with the reason (see conduct-run.ts). Touches HTTP and Postgres.
import { openCatalogRun, type RunMode, type RunProgress } from '../db/runs.ts';
import { onDatabase } from '../db/retry.ts';
import { analyzeTables } from '../db/sql/analyze-tables.ts';
import { conductRun } from './conduct-run.ts';
import { LISTED_KINDS, LISTINGS, type ListedKind } from './kinds/index.ts';
import { silentProgress } from './progress.ts';
import type { RunScope, SyncContext } from './sync-context.ts';
import { pageSlots } from './walk-listing.ts';
import { syncListing } from './sync-listing.ts';
import { prefetchUsers, syncUsers } from './sync-users.ts';

export type { SyncContext } from './sync-context.ts';

export interface SyncRequest {
  mode?: 'full' | 'incremental';
  kinds?: ListedKind[];
}

export interface SyncOutcome extends RunProgress {
  runId: number;
  mode: RunMode;
  status: 'succeeded' | 'failed';
  error?: string;
}

export { RunInProgressError } from '../db/runs.ts';

export async function runSync(ctx: SyncContext, request: SyncRequest = {}): Promise<SyncOutcome> {
  const kinds = LISTED_KINDS.filter((k) => (request.kinds ?? LISTED_KINDS).includes(k));
  // Not retried: a database unreachable before the run exists is reported at once; lost connections
  // are waited for once the run is open (conductRun).
  const { id: runId, mode } = await openCatalogRun(ctx.db, { mode: request.mode, kinds, staleAfterMs: ctx.staleAfterMs ?? 600_000 });
  const log = ctx.logger.child({ runId, mode });
  log.info({ kinds }, 'sync started');
  try {
    const end = await conductRun(ctx, { runId, mode }, async (runCtx, run) => {
      const withUsers = kinds.some((kind) => LISTINGS[kind].referenced);
      const prefetch = withUsers && mode === 'full' && !runCtx.hasApiKey ? prefetchUsers(runCtx, run) : undefined;
      let problems: string[];
      try {
        problems = await syncListingsSideBySide(runCtx, run, kinds.filter((kind) => !LISTINGS[kind].referenced));
      } catch (error) {
        // Listings that failed: the users still queued are dropped, and the run fails with the listings' reason.
        await prefetch?.finish({ drop: true }).catch(() => {});
        throw error;
      }
      await prefetch?.finish();
      // A first load (most rows new): the statistics are refreshed for what follows; a re-sync skips it (0.5 s at scale 0.1).
      const { inserted, seen } = run.tracker.counts;
      if (mode === 'full' && inserted > seen / 10) await onDatabase(runCtx, 'analyzing the loaded tables', () => analyzeTables(runCtx.sql, tablesOf(kinds)));
      if (withUsers) problems.push(...(await syncUsers(runCtx, run)));
      return problems;
    });
    log.info({ counts: end.progress.counts, status: end.status, error: end.error }, 'sync finished');
    return { runId, mode, status: end.status, error: end.error, ...end.progress };
  } finally {
    (ctx.progress ?? silentProgress).end();
  }
}

/** The listings walked side by side: while one waits for the API or for its pages to be stored, the
 * others fetch. They share one bound of pages held and stored, so that together they hold no more
 * pages than one walk alone (walked side by side with a bound each, they took the peak RSS from 290
 * to 346 MB at scale 0.1). Each one ends before the run goes on, even when another fails; the
 * sentences come in the kinds' order, and the first failure is thrown. */
async function syncListingsSideBySide(ctx: SyncContext, run: RunScope, kinds: ListedKind[]): Promise<string[]> {
  const shared = { ...ctx, pageSlots: ctx.pageSlots ?? pageSlots(ctx.concurrency) };
  const settled = await Promise.allSettled(kinds.map((kind) => syncListing(shared, run, kind)));
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
}

/** The tables the listings of `kinds` write: their entities, embedded children and links, and the run's seen ids. */
function tablesOf(kinds: ListedKind[]): string[] {
  return [
    ...kinds.flatMap((name) => {
      const kind = LISTINGS[name].kind;
      return [kind.table, ...kind.children.map((child) => child.kind.table), ...kind.links.map((link) => link.table)];
    }),
    'run_seen_ids',
  ];
}
