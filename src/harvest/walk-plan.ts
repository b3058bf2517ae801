// The walk plan of a listing, shared by the in-process walk and the queue's page jobs: which pages a
// total announces, when a walk is complete (only then may deletions be inferred), when to stop
// asking, when to follow the tail, and which errors refuse the listing rather than lose a page. Pure.
import { HttpError } from '../api/errors/index.ts';

/** After this many lost pages the API is down, not one page heavy: the walk stops asking. */
export const MAX_FAILED_PAGES = 5;

/** The last page a listing's `total` announces (at least 1). */
export function lastPlannedPage(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

export interface WalkTally {
  /** The smallest total announced by the pages fetched (deletions during the walk shrink it). */
  total: number;
  /** Distinct ids the walk saw. */
  seen: number;
  /** Pages lost for good. */
  failedPages: number;
  /** Jobs of the walk that failed for good (queue only): their pages are lost too. */
  lostJobs?: number;
}

/** Every page fetched and as many distinct ids as announced: only then may deletions be inferred. */
export function isWalkComplete(tally: WalkTally): boolean {
  return tally.failedPages === 0 && (tally.lostJobs ?? 0) === 0 && tally.seen >= tally.total;
}

/** Whether the walk should stop asking for more pages. */
export function shouldStopAsking(failedPages: number): boolean {
  return failedPages >= MAX_FAILED_PAGES;
}

/** Items created during a walk append at the end of an ascending sort: past the planned pages, the
 * walk follows `next_page` while nothing was lost. */
export function shouldFollowTail(hasNext: boolean, failedPages: number): boolean {
  return hasNext && failedPages === 0;
}

/** 401/403: the listing is closed to this caller (the users listing without an admin key), not a lost page. */
export function isRefusal(error: unknown): boolean {
  return error instanceof HttpError && (error.status === 401 || error.status === 403);
}

/** What one request costs, in items carried: a page of 100 costs about 100 + this, an item by id
 * 1 + this (latency, the request budget, the server's work per request). */
const REQUEST_COST_IN_ITEMS = 20;

/** An incremental run fetches new and changed entities by id, unless so many changed (a first run
 * given `--mode incremental`, a mirror pointed at another catalog) that walking the whole listing
 * again costs less: requests × their cost plus the items carried. */
export function preferFullWalk(toFetch: number, total: number, pageSize: number): boolean {
  const byId = toFetch * (REQUEST_COST_IN_ITEMS + 1);
  const walk = lastPlannedPage(total, pageSize) * REQUEST_COST_IN_ITEMS + total;
  return toFetch > 0 && byId > walk;
}
