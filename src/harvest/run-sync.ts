// One sync run, in this process: opens the ledger row, syncs each kind, then users, and closes the
// row as succeeded or failed with the reason (see conduct-run.ts). Touches HTTP and Postgres.
import { openCatalogRun, type RunMode, type RunProgress } from '../db/runs.ts';
import { onDatabase } from '../db/retry.ts';
import { analyzeTables } from '../db/sql/analyze-tables.ts';
import { conductRun } from './conduct-run.ts';
import { LISTED_KINDS, LISTINGS, type ListedKind } from './kinds/index.ts';
import { silentProgress } from './progress.ts';
import type { SyncContext } from './sync-context.ts';
import { syncListing } from './sync-listing.ts';
import { syncUsers } from './sync-users.ts';

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
      const problems: string[] = [];
      // One listing after the other: walked side by side they were faster when latency-bound, but held
      // the pages of three walks at once (peak RSS 290 -> 346 MB at scale 0.1 in the bench).
      for (const kind of kinds) if (!LISTINGS[kind].referenced) problems.push(...(await syncListing(runCtx, run, kind)));
      // A first load (most rows new): the statistics are refreshed for what follows; a re-sync skips it (0.5 s at scale 0.1).
      const { inserted, seen } = run.tracker.counts;
      if (mode === 'full' && inserted > seen / 10) await onDatabase(runCtx, 'analyzing the loaded tables', () => analyzeTables(runCtx.sql, tablesOf(kinds)));
      if (kinds.some((kind) => LISTINGS[kind].referenced)) problems.push(...(await syncUsers(runCtx, run)));
      return problems;
    });
    log.info({ counts: end.progress.counts, status: end.status, error: end.error }, 'sync finished');
    return { runId, mode, status: end.status, error: end.error, ...end.progress };
  } finally {
    (ctx.progress ?? silentProgress).end();
  }
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
