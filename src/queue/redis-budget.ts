// The politeness budget shared by every worker: requests in flight (a Redis semaphore) and requests
// per second (a Redis rate limiter). Touches Redis.
// redis-semaphore and rate-limiter-flexible do the locking; a crashed holder's slot expires with its lease.
import type { Redis } from 'ioredis';
import { RateLimiterQueue, RateLimiterRedis } from 'rate-limiter-flexible';
import { Semaphore } from 'redis-semaphore';
import type { RequestBudget } from '../api/request-budget.ts';

export interface RedisBudgetOptions {
  maxConcurrency: number;
  requestsPerSecond: number;
  /** Namespace of the Redis keys: every process sharing one budget uses the same. */
  key: string;
  /** How long a slot outlives a holder that stopped renewing it (a killed worker). Default 10 000. */
  leaseMs?: number;
}

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
  return {
    async acquire(signal?: AbortSignal) {
      const slot = new Semaphore(redis, `${options.key}:inflight`, options.maxConcurrency, {
        lockTimeout: options.leaseMs ?? 10_000,
        refreshInterval: Math.floor((options.leaseMs ?? 10_000) / 3),
        acquireTimeout: 24 * 3_600_000,
        acquireAttemptsLimit: Number.POSITIVE_INFINITY,
        retryInterval: 20,
      });
      await slot.acquire(signal);
      try {
        signal?.throwIfAborted();
        await rate.removeTokens(1, 'requests');
      } catch (error) {
        await slot.release();
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
