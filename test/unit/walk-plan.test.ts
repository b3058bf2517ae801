// The walk plan both paths consult (the in-process walk and the queue's collect job): pages planned
// from a total, when a walk is complete, when to stop asking and when to follow the tail.
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/api/errors/index.ts';
import { isRefusal, isWalkComplete, lastPlannedPage, MAX_FAILED_PAGES, shouldFollowTail, shouldStopAsking } from '../../src/harvest/walk-plan.ts';

describe('walk plan', () => {
  it('plans the pages a total announces, at least one', () => {
    expect(lastPlannedPage(0, 100)).toBe(1);
    expect(lastPlannedPage(100, 100)).toBe(1);
    expect(lastPlannedPage(101, 100)).toBe(2);
  });

  it('calls a walk complete only with every page and as many ids as announced', () => {
    expect(isWalkComplete({ total: 10, seen: 10, failedPages: 0 })).toBe(true);
    expect(isWalkComplete({ total: 10, seen: 12, failedPages: 0 })).toBe(true); // items created meanwhile
    expect(isWalkComplete({ total: 10, seen: 9, failedPages: 0 })).toBe(false); // a lying total, a short page
    expect(isWalkComplete({ total: 10, seen: 10, failedPages: 1 })).toBe(false);
    expect(isWalkComplete({ total: 10, seen: 10, failedPages: 0, lostJobs: 1 })).toBe(false); // a page job failed for good
  });

  it('stops asking after too many lost pages, and follows the tail only when nothing was lost', () => {
    expect(shouldStopAsking(MAX_FAILED_PAGES - 1)).toBe(false);
    expect(shouldStopAsking(MAX_FAILED_PAGES)).toBe(true);
    expect(shouldFollowTail(true, 0)).toBe(true);
    expect(shouldFollowTail(true, 1)).toBe(false);
    expect(shouldFollowTail(false, 0)).toBe(false);
  });

  it('takes 401 and 403 as a refusal of the listing, not a lost page', () => {
    const answered = (status: number) => new HttpError({ status, url: 'u', bodySnippet: '', retryable: false });
    expect(isRefusal(answered(401))).toBe(true);
    expect(isRefusal(answered(403))).toBe(true);
    expect(isRefusal(answered(404))).toBe(false);
    expect(isRefusal(new Error('x'))).toBe(false);
  });
});
