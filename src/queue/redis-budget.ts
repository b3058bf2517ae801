// The politeness budget shared by every worker: requests in flight (a Redis semaphore) and requests
// per second (a Redis rate limiter). Touches Redis.
// redis-semaphore and rate-limiter-flexible do the locking; a crashed holder's slot expires with its lease.
import type { Redis } from 'ioredis';
import { RateLimiterQueue, RateLimiterRedis } from 'rate-limiter-flexible';
import { Semaphore } from 'redis-semaphore';
import type { RequestBudget } from '../api/request-budget.ts';
import { sleepOrThrow } from '../api/sleep.ts';

export interface RedisBudgetOptions {
  maxConcurrency: number;
  requestsPerSecond: number;
  /** Namespace of the Redis keys: every process sharing one budget uses the same. */
  key: string;
  /** How long a slot outlives a holder that stopped renewing it (a killed worker). Default 10 000. */
  leaseMs?: number;
  /** Told when a slot's lease could not be renewed (Redis was down longer than the lease, or restarted
   * empty): the request holding it goes on, and the next request takes a slot again. */
  onLeaseLost?(error: Error): void;
  /** Told when Redis refused a budget command; the request waits and asks again. */
  onRedisError?(error: unknown): void;
}

/** Waits between two tries to take a slot while Redis fails: 100 ms, doubling, at most 5 s. */
const retryDelay = (attempt: number) => Math.min(5_000, 100 * 2 ** attempt);

export function createRedisBudget(redis: Redis, options: RedisBudgetOptions): RequestBudget {
  // A window of one second holding `requestsPerSecond` tokens (rate-limiter-flexible counts whole seconds);
  // fractional rates take a longer window with one token.
  const perWindow = Math.max(1, Math.floor(options.requestsPerSecond));
  const windowSeconds = Math.max(1, Math.round(perWindow / options.requestsPerSecond));
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${options.key}:rate`,
    points: perWindow,
    duration: windowSeconds,
  });
  const rate = new RateLimiterQueue(limiter);
  const takeSlot = async (signal?: AbortSignal): Promise<Semaphore> => {
    for (let attempt = 0; ; attempt++) {
      const slot = new Semaphore(redis, `${options.key}:inflight`, options.maxConcurrency, {
        lockTimeout: options.leaseMs ?? 10_000,
        refreshInterval: Math.floor((options.leaseMs ?? 10_000) / 3),
        acquireTimeout: 24 * 3_600_000,
        acquireAttemptsLimit: Number.POSITIVE_INFINITY,
        retryInterval: 20,
        // The default handler throws from a timer, which kills the process: a lost lease only means
        // the slot was freed early, so the request in flight finishes and the next one asks again.
        onLockLost: (error) => options.onLeaseLost?.(error),
      });
      try {
        await slot.acquire(signal);
        return slot;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        options.onRedisError?.(error);
        await sleepOrThrow(retryDelay(attempt), signal);
      }
    }
  };
  const takeToken = async (signal?: AbortSignal): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        await rate.removeTokens(1, 'requests');
        return;
      } catch (error) {
        // rate-limiter-flexible rejects with a Redis error (an Error), or with a plain object when
        // the queue of waiting requests is full: both are waited out.
        options.onRedisError?.(error);
        await sleepOrThrow(retryDelay(attempt), signal);
      }
    }
  };
  return {
    async acquire(signal?: AbortSignal) {
      const slot = await takeSlot(signal);
      try {
        await takeToken(signal);
      } catch (error) {
        await slot.release().catch(() => {});
        throw error;
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        slot.release().catch(() => {}); // an expired lease is already free
      };
    },
  };
}
