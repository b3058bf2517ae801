// What every job handler of a worker process shares: database pool, Redis, the shared request budget,
// the queue; and a sync context per job with its own HTTP client (so its request counts are its own).
// Touches Postgres, Redis and HTTP.
import type { Redis } from 'ioredis';
import type { RequestBudget } from '../src/api/request-budget.ts';
import type { Config } from '../src/config.ts';
import { openDb, type DbHandle } from '../src/db/client.ts';
import type { SyncContext } from '../src/harvest/sync-context.ts';
import type { Logger } from '../src/logger.ts';
import { createRedis } from '../src/queue/connection.ts';
import { openQueue, type MirrorQueue } from '../src/queue/queue.ts';
import { createRedisBudget } from '../src/queue/redis-budget.ts';
import { httpClientFor, syncContextFor } from '../src/runtime.ts';

export interface JobRuntime {
  config: Config;
  logger: Logger;
  database: DbHandle;
  redis: Redis;
  budget: RequestBudget;
  mirror: MirrorQueue;
  /** Aborted when the worker must stop now (shutdown timeout): in-flight requests end. */
  signal: AbortSignal;
  /** Runs `fn` with a sync context whose HTTP client lives for this call only. */
  withContext<T>(fn: (ctx: SyncContext) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createJobRuntime(config: Config, logger: Logger, signal: AbortSignal): JobRuntime {
  const database = openDb(config.DATABASE_URL, { max: config.WORKER_CONCURRENCY * 2 + 2, harvesting: true });
  const redis = createRedis(config.REDIS_URL, { name: 'datagouv-mirror-worker' });
  const budget = createRedisBudget(redis, {
    key: `${config.QUEUE_NAME}:budget`,
    maxConcurrency: config.DATAGOUV_MAX_CONCURRENCY,
    requestsPerSecond: config.DATAGOUV_REQUESTS_PER_SECOND,
    leaseMs: Math.min(config.WORKER_LOCK_MS, 10_000),
    onLeaseLost: (error) => logger.warn({ err: error }, 'a request slot lease was lost (Redis down or reset): the request goes on, the next one takes a slot again'),
    // The connection itself reports outages; the budget only waits them out.
    onRedisError: (error) => logger.debug({ err: error }, 'request budget: Redis command failed, asking again'),
  });
  const mirror = openQueue(redis, config.QUEUE_NAME, { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS });
  // One client per worker: keep-alive connections and the ban circuit breaker span all its jobs.
  const client = httpClientFor(config, budget, logger, signal);
  return {
    config,
    logger,
    database,
    redis,
    budget,
    mirror,
    signal,
    async withContext(fn) {
      // One view per job: its own request counts over the worker's shared connections and circuit breaker.
      const http = client.withOwnStats();
      try {
        return await fn(syncContextFor(config, { sql: database.sql, db: database.db, http, logger, signal }));
      } finally {
        await http.close();
      }
    },
    async close() {
      await client.close();
      await mirror.close();
      await Promise.allSettled([database.close(), redis.quit()]);
    },
  };
}
