// A queue test bed: an in-process worker on a unique queue for one harness's database and fake API,
// the queue to enqueue on, a queued sync followed to its end, and a teardown that obliterates the
// queue. Touches Redis and Postgres.
import type { Redis } from 'ioredis';
import { startWorker, type RunningWorker } from '../../jobs/worker.ts';
import type { SyncRun } from '../../src/db/runs.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { enqueueSync, waitForJob, waitForRunEnd } from '../../src/queue/enqueue.ts';
import type { SyncJobData } from '../../src/queue/jobs.ts';
import { openQueue, type MirrorQueue } from '../../src/queue/queue.ts';
import type { Harness } from './harness.ts';
import { obliterateQueue, testConfig, uniqueQueueName } from './queue.ts';

export interface QueueBed {
  worker: RunningWorker;
  redis: Redis;
  mirror: MirrorQueue;
  queueName: string;
  /** Enqueues a sync and waits for its run to end. */
  sync(data: SyncJobData): Promise<SyncRun>;
  close(): Promise<void>;
}

export async function startQueueBed(h: Harness, overrides: Record<string, string> = {}, concurrency = 4): Promise<QueueBed> {
  const queueName = uniqueQueueName();
  const config = testConfig({ DATABASE_URL: h.database.url, DATAGOUV_BASE_URL: h.fake.url, QUEUE_NAME: queueName, ...overrides });
  const worker = await startWorker(config, { concurrency });
  const redis = createRedis(config.REDIS_URL);
  const mirror = openQueue(redis, queueName);
  return {
    worker,
    redis,
    mirror,
    queueName,
    async sync(data) {
      const job = await enqueueSync(mirror.queue, data);
      const { runId } = await waitForJob<{ runId: number }>(redis, mirror.queue, job);
      return waitForRunEnd(h.database.db, runId, { intervalMs: 50 });
    },
    async close() {
      await worker.stop();
      await mirror.close();
      await redis.quit();
      await obliterateQueue(queueName);
    },
  };
}
