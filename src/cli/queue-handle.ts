// The mirror's queue as a command opens it (--queue, runs, schedule, doctor): one brief Redis connection,
// closed with the queue. Touches Redis.
import type { Settings } from '../config.ts';
import { connectRedisBriefly } from '../queue/connection.ts';
import { openQueue, type MirrorQueue } from '../queue/queue.ts';
import type { Redis } from 'ioredis';

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
