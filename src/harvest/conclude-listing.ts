// The end of a listing's walk in a run: its completeness recorded, the run's problem sentences, and
// the confirmed deletion sweep. Touches HTTP and Postgres.
import { LISTINGS, type ListedKind } from './kinds/index.ts';
import type { ListingFilter } from './listing-walk-options.ts';
import { sweepDeletions } from './sweep.ts';
import type { RunScope, SyncContext } from './sync-context.ts';
import { describeIncompleteWalk, type WalkResult } from './walk-listing.ts';

/** Records the walk and sweeps deletions; returns the sentences that make the run fail. */
export async function concludeListing(
  ctx: SyncContext,
  run: RunScope,
  kindName: ListedKind,
  walk: WalkResult,
  filter: ListingFilter = {},
): Promise<string[]> {
  run.tracker.addWalk(kindName, walk);
  const problems = describeIncompleteWalk(kindName, walk);
  const listing = LISTINGS[kindName];
  const refused = await sweepDeletions(ctx, run, { listing, kindName, complete: walk.complete, scope: filter.scope });
  if (refused) problems.push(refused);
  return problems;
}
