// Users in a run. With an admin key, the /api/1/users/ listing walked in full, with its sweep;
// without one, the users the mirror references. Known users carry no modification stamp, so an
// incremental run without the key also refreshes a rotating share of them. The plan is shared by the in-process run
// and the queue (which fetches the planned ids in item jobs). Touches HTTP and Postgres.
import { HttpError } from '../api/errors/index.ts';
import { onDatabase } from '../db/retry.ts';
import { markUsersFetched, referencedUserIds, usersDueForRefresh } from '../db/sql/referenced-users.ts';
import { REFERENCED_LISTING, userReferences } from './kinds/index.ts';
import { describeFetchFailures, fetchAndStore } from './fetch-and-store.ts';
import { syncListing } from './sync-listing.ts';
import { now, type RunScope, type SyncContext } from './sync-context.ts';

export interface UsersPlan {
  /** Users to fetch by id: referenced ones (all on a full run, the unknown ones otherwise), then the rotation. */
  ids: string[];
  /** Known users refreshed by rotation: marked fetched once the run has them. */
  rotation: string[];
  problems: string[];
}

/** Walks the admin listing when the key allows it, and plans the users to fetch by id. */
export async function planUsers(ctx: SyncContext, run: RunScope): Promise<UsersPlan> {
  const rotate = (exclude: string[]) =>
    run.mode === 'incremental'
      ? onDatabase(ctx, 'planning users', () =>
          usersDueForRefresh(ctx.sql, { limit: ctx.usersPerRun, refreshDays: ctx.usersRefreshDays ?? 30 }, exclude),
        )
      : Promise.resolve([]);
  if (ctx.hasApiKey) {
    try {
      // A user object weighs about 1 KB: the listing is walked in pages as large as a manifest's, so that
      // walking it in full costs no more requests than its manifest alone. An incremental run walks it in
      // full too (every user refreshed, none fetched by id: fewer requests than the manifest plus a rotation
      // by id). Unchanged users are not rewritten, not even their fetched_at.
      const pageSize = usersPageSize(ctx);
      if (run.mode === 'incremental') {
        ctx.logger.info({ pageSize }, `users: walking the admin listing in full pages of ${pageSize} (as many requests as its manifest, every user refreshed)`);
      }
      return { ids: [], rotation: [], problems: await syncListing({ ...ctx, pageSize }, { ...run, mode: 'full' }, REFERENCED_LISTING.name) };
    } catch (error) {
      if (!(error instanceof HttpError && (error.status === 401 || error.status === 403))) throw error;
      ctx.logger.warn('the API key cannot list users (not an admin key): users are fetched by reference instead');
    }
  }
  const all = await onDatabase(ctx, 'planning users', () => referencedUserIds(ctx.sql, userReferences(), { onlyUnknown: run.mode === 'incremental' }));
  // Those fetched while the listings were walked (a full run) are not asked for again.
  const referenced = all.filter((id) => !run.fetchedUserIds.has(id));
  const rotation = await rotate([...referenced, ...run.fetchedUserIds]);
  run.tracker.completeness[REFERENCED_LISTING.name] = { total: all.length, seen: all.length, pages: 0, failedPages: [], complete: true };
  return { ids: [...referenced, ...rotation], rotation, problems: [] };
}

/** The page size of the admin users listing: the manifest's (users are light), or the listings' when larger. */
function usersPageSize(ctx: SyncContext): number {
  return Math.max(ctx.pageSize, ctx.manifestPageSize ?? 1000);
}

/** Users of an in-process run: the plan, fetched here. */
export async function syncUsers(ctx: SyncContext, run: RunScope): Promise<string[]> {
  const plan = await planUsers(ctx, run);
  const failed = await fetchAndStore(ctx, run, REFERENCED_LISTING.name, REFERENCED_LISTING, plan.ids);
  const missed = new Set(failed.map((f) => f.id));
  const fetchedAt = now();
  await onDatabase(ctx, 'marking users fetched', () => markUsersFetched(ctx.sql, plan.rotation.filter((id) => !missed.has(id)), fetchedAt));
  return [...plan.problems, ...describeFetchFailures(REFERENCED_LISTING.name, failed)];
}

/** Users fetched by id while a full run's listings are walked, by batches of the ones they reference
 * for the first time: their requests fill the gaps of the walks (a page's first request, a walk's
 * tail, pages being stored), and the users pass after the listings asks only for the rest. Only a full
 * run without an admin key: it fetches every referenced user anyway (an incremental run fetches only
 * the unknown ones, and an admin key reads the users listing). Ids that failed here are asked for again
 * by the users pass. `finish` is called once the listings are over: it fetches what is left queued (or
 * drops it, when the listings failed) and throws what stopped the fetching (a ban, the database). */
export function prefetchUsers(ctx: SyncContext, run: RunScope, batchSize = 100): { finish(options?: { drop?: boolean }): Promise<void> } {
  const queue: string[] = [];
  let done = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  run.onNewUser = (id) => {
    queue.push(id);
    if (queue.length >= batchSize) notify();
  };
  const loop = (async () => {
    for (;;) {
      if (queue.length < batchSize && !done) await new Promise<void>((resolve) => (wake = resolve));
      if (queue.length === 0 && done) return;
      const ids = queue.splice(0, batchSize).filter((id) => !run.fetchedUserIds.has(id));
      if (ids.length) await fetchAndStore(ctx, run, REFERENCED_LISTING.name, REFERENCED_LISTING, ids);
    }
  })();
  loop.catch(() => {}); // awaited by finish
  return {
    async finish(options = {}) {
      run.onNewUser = undefined;
      if (options.drop) queue.length = 0;
      done = true;
      notify();
      await loop;
    },
  };
}
