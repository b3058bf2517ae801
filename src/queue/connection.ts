// Redis connections for BullMQ and the shared request budget. Touches Redis.
import { Redis } from 'ioredis';
import { redactUrl } from '../db/migrate.ts';

/** BullMQ workers block on Redis: they need `maxRetriesPerRequest: null` (ioredis retries forever). */
export function createRedis(url: string, options: { name?: string } = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: options.name ?? 'datagouv-mirror' });
}

/** A connection for a short command: it gives up after a few seconds instead of retrying forever. */
export async function connectRedisBriefly(url: string, name: string): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => (times > 3 ? null : 200 * times),
  });
  let lastError: unknown;
  redis.on('error', (error: unknown) => {
    lastError = error; // reported once below, not as an unhandled event with a stack
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    const reason = (lastError ?? error) as { code?: string; message?: string };
    throw new RedisUnavailableError(`Cannot connect to Redis at ${redactUrl(url)} (${reason.code ?? reason.message}): check REDIS_URL and that the server runs.`, { cause: error });
  }
}

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

