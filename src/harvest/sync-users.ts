// Users in a run. With an admin key, the /api/1/users/ listing (full or manifest, with its sweep);
// without one, the users the mirror references. Known users carry no modification stamp, so an
// incremental run also refreshes a rotating share of them. Touches HTTP and Postgres.
import { HttpError } from '../api/errors/index.ts';
import { markUsersFetched, referencedUserIds, usersDueForRefresh } from '../db/sql/referenced-users.ts';
import { LISTINGS } from './kinds/index.ts';
import { describeFetchFailures, fetchAndStore, syncListing } from './sync-listing.ts';
import { now, type RunScope, type SyncContext } from './sync-context.ts';

export async function syncUsers(ctx: SyncContext, run: RunScope): Promise<string[]> {
  const listing = LISTINGS.users;
  let problems: string[] | null = null;
  if (ctx.hasApiKey) problems = await tryUsersListing(ctx, run);
  if (problems === null) {
    problems = [];
    // A full run fetches every referenced user; an incremental one only those not mirrored yet
    // (known ones are refreshed by the rotation).
    const ids = await referencedUserIds(ctx.sql, { onlyUnknown: run.mode === 'incremental' });
    const wanted = ids.filter((id) => !run.fetchedUserIds.has(id));
    problems.push(...describeFetchFailures('users', await fetchAndStore(ctx, run, 'users', listing, wanted.sort())));
    run.tracker.completeness.users = { total: wanted.length, seen: wanted.length, pages: 0, failedPages: [], complete: true };
  }
  if (run.mode === 'incremental') problems.push(...(await refreshRotation(ctx, run)));
  return problems;
}

/** The admin-only listing; null when the key turns out not to be an admin's (401/403). */
async function tryUsersListing(ctx: SyncContext, run: RunScope): Promise<string[] | null> {
  try {
    return await syncListing(ctx, run, 'users');
  } catch (error) {
    if (error instanceof HttpError && (error.status === 401 || error.status === 403)) {
      ctx.logger.warn('the API key cannot list users (not an admin key): users are fetched by reference instead');
      return null;
    }
    throw error;
  }
}

async function refreshRotation(ctx: SyncContext, run: RunScope): Promise<string[]> {
  const due = await usersDueForRefresh(ctx.sql, ctx.usersPerRun ?? 500, [...run.fetchedUserIds]);
  const failed = await fetchAndStore(ctx, run, 'users (rotation)', LISTINGS.users, due);
  const missed = new Set(failed.map((f) => f.id));
  await markUsersFetched(ctx.sql, due.filter((id) => !missed.has(id)), now());
  return describeFetchFailures('users', failed);
}
