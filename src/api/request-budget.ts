// Politeness budget: caps concurrent requests and requests per second. In-process timers only, no I/O.
import pLimit, { type LimitFunction } from 'p-limit';
import { sleepOrThrow } from './sleep.ts';

/**
 * A budget shared by every request of a client. An interface so a Redis-backed budget shared by
 * all workers can replace the local one without touching the client.
 */
export interface RequestBudget {
  /** Resolves with a release function once a request may start; rejects with the signal's reason if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export interface LocalBudgetOptions {
  /** Requests in flight at once. */
  maxConcurrency: number;
  /** Request starts per second, evenly spaced (no burst: a burst is what gets an IP banned). */
  requestsPerSecond: number;
}

export function createLocalBudget(opts: LocalBudgetOptions): RequestBudget {
  if (!(opts.maxConcurrency >= 1)) throw new RangeError('maxConcurrency must be at least 1');
  if (!(opts.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be positive');
  const limit = pLimit(opts.maxConcurrency);
  const spacer = createStartSpacer(1000 / opts.requestsPerSecond);
  return {
    async acquire(signal) {
      // Concurrency first, then the rate slot: reserving a rate slot while queued for concurrency
      // would let two queued requests start closer together than the interval.
      const release = await holdSlot(limit, signal);
      try {
        await spacer.wait(signal);
      } catch (error) {
        release();
        throw error;
      }
      return release;
    },
  };
}

/**
 * Holds one p-limit slot until the returned release is called. p-limit runs functions rather
 * than handing out slots, so the slot is a pending promise whose resolver is the release.
 */
function holdSlot(limit: LimitFunction, signal?: AbortSignal): Promise<() => void> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    void limit(
      () =>
        new Promise<void>((free) => {
          signal?.removeEventListener('abort', onAbort);
          // The caller gave up while queued: hand the slot straight back.
          if (signal?.aborted) return free();
          resolve(once(free));
        }),
    );
  });
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/**
 * Evenly spaced start times, one every `intervalMs`. Hand-written because p-limit only bounds
 * concurrency and no rate limiter (p-throttle, bottleneck) is a dependency; it is a few lines.
 */
function createStartSpacer(intervalMs: number) {
  let nextStart = 0;
  return {
    async wait(signal?: AbortSignal): Promise<void> {
      const now = performance.now();
      const start = Math.max(now, nextStart);
      nextStart = start + intervalMs;
      // Timers have millisecond granularity: round up so the spacing is never shorter than asked.
      const delay = Math.ceil(start - now);
      if (delay > 0) await sleepOrThrow(delay, signal);
    },
  };
}
