// Redis connections for BullMQ and the shared request budget. Touches Redis.
import { Redis } from 'ioredis';

/** BullMQ workers block on Redis: they need `maxRetriesPerRequest: null` (ioredis retries forever). */
export function createRedis(url: string, options: { name?: string } = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: options.name ?? 'datagouv-mirror' });
}
