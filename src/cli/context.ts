// Builds the sync context a command runs with, and opens the queue for --queue. Touches Postgres, HTTP, Redis.
import type { Settings } from '../config.ts';
import { createProgress } from '../harvest/progress.ts';
import { createProgressBars } from './progress-bars.ts';
import type { SyncContext } from '../harvest/sync-context.ts';
import { connectRedisBriefly } from '../queue/connection.ts';
import { openQueue, type MirrorQueue } from '../queue/queue.ts';
import { syncContextFor, type Runtime } from '../runtime.ts';
import type { Redis } from 'ioredis';

export function syncContextOf(runtime: Runtime, options: { progress?: boolean } = {}): SyncContext {
  return syncContextFor(runtime.config, {
    sql: runtime.database.sql,
    db: runtime.database.db,
    http: runtime.http,
    logger: runtime.logger,
    // A terminal gets bars; anything else (files, CI, Docker logs) the JSON progress lines.
    progress: options.progress ? (process.stderr.isTTY ? createProgressBars() : createProgress({ tty: false, logger: runtime.logger })) : undefined,
  });
}

export interface QueueHandle {
  redis: Redis;
  mirror: MirrorQueue;
  close(): Promise<void>;
}

export async function queueOf(config: Settings): Promise<QueueHandle> {
  const redis = await connectRedisBriefly(config.REDIS_URL, 'datagouv-mirror-cli');
  const mirror = openQueue(redis, config.QUEUE_NAME, { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS });
  return {
    redis,
    mirror,
    async close() {
      await mirror.close();
      await redis.quit().catch(() => {});
    },
  };
}
