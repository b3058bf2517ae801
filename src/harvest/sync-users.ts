// Users in a run. With an admin key, the /api/1/users/ listing (full or manifest, with its sweep);
// without one, the users the mirror references. Known users carry no modification stamp, so an
// incremental run also refreshes a rotating share of them. The plan is shared by the in-process run
// and the queue (which fetches the planned ids in item jobs). Touches HTTP and Postgres.
import { HttpError } from '../api/errors/index.ts';
import { onDatabase } from '../db/retry.ts';
import { countLiveUsers, markUsersFetched, referencedUserIds, usersDueForRefresh } from '../db/sql/referenced-users.ts';
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
      if (run.mode === 'incremental' && (await walkIsCheaper(ctx))) {
        // Every user refreshed from the listing's full pages: fewer requests than the manifest plus the rotation by id.
        // Unchanged users are not rewritten, not even their fetched_at (7,100 row updates a night at scale 0.1).
        return { ids: [], rotation: [], problems: await syncListing(ctx, { ...run, mode: 'full' }, REFERENCED_LISTING.name) };
      }
      const problems = await syncListing(ctx, run, REFERENCED_LISTING.name);
      const rotation = await rotate([...run.fetchedUserIds]);
      // The manifest counted the rotated users as seen and unchanged; fetched again by id, they are
      // counted as what they turn out to be, so they are taken out of the manifest's count here.
      run.tracker.addUnchanged(REFERENCED_LISTING.kind.entityType, -rotation.length);
      return { ids: rotation, rotation, problems };
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

/** With an admin key: whether walking the users listing in full pages costs no more requests than its
 * manifest (1,000 a page) plus the rotation's share by id; the log says which was chosen. */
async function walkIsCheaper(ctx: SyncContext): Promise<boolean> {
  const known = await onDatabase(ctx, 'counting users', () => countLiveUsers(ctx.sql));
  const walk = Math.ceil(known / ctx.pageSize);
  const byId = ctx.usersPerRun ?? Math.ceil(known / (ctx.usersRefreshDays ?? 30));
  const manifest = Math.ceil(known / (ctx.manifestPageSize ?? 1000)) + byId;
  const cheaper = known > 0 && walk <= manifest;
  ctx.logger.info({ known, walkRequests: walk, manifestRequests: manifest }, cheaper ? 'users: walking the admin listing in full pages (fewer requests than its manifest and the rotation by id)' : 'users: manifest of the admin listing, then the rotation by id');
  return cheaper;
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
