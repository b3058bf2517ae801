// A queued page job whose page keeps failing is retried by BullMQ with backoff (the job throws, it
// does not record a lost page): failing twice, then succeeding, loses nothing. Real Redis and PostgreSQL.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../jobs/worker.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { enqueueSync, waitForJob, waitForRunEnd } from '../../src/queue/enqueue.ts';
import { openQueue, type MirrorQueue } from '../../src/queue/queue.ts';
import { mirrorState, startHarness, type Harness } from '../support/harness.ts';
import { obliterateQueue, testConfig, uniqueQueueName } from '../support/queue.ts';

const FAKE = { seed: 13, publicUrl: 'https://www.data.gouv.fr', counts: { datasets: 60, organizations: 5, reuses: 5, users: 20, dataservices: 4 } };

describe('queued page jobs', () => {
  let queued: Harness;
  let clean: Harness;
  let worker: RunningWorker;
  let redis: Redis;
  let mirror: MirrorQueue;
  const queueName = uniqueQueueName();

  beforeAll(async () => {
    [queued, clean] = await Promise.all([startHarness({ fake: FAKE }), startHarness({ fake: FAKE, context: { pageSize: 10 } })]);
    const config = testConfig({
      DATABASE_URL: queued.database.url,
      DATAGOUV_BASE_URL: queued.fake.url,
      QUEUE_NAME: queueName,
      DATAGOUV_PAGE_SIZE: '10',
      DATAGOUV_RETRIES: '2',
      JOB_ATTEMPTS: '5',
      JOB_BACKOFF_MS: '50',
    });
    worker = await startWorker(config, { concurrency: 3 });
    redis = createRedis(config.REDIS_URL);
    mirror = openQueue(redis, queueName);
    expect((await clean.sync({ mode: 'full' })).status).toBe('succeeded');
  });
  afterAll(async () => {
    await worker?.stop();
    await mirror?.close();
    await redis?.quit();
    await obliterateQueue(queueName);
    await Promise.all([queued?.close(), clean?.close()]);
  });

  it('retry a page that fails twice, then succeeds, and lose nothing', async () => {
    const page = '/api/1/datasets/?page=3&';
    // Each job attempt makes 3 requests (DATAGOUV_RETRIES=2): 6 failures fail the job twice.
    await queued.fake.setFaults({ match: page, failTimes: 6, errorStatuses: [500] });
    const job = await enqueueSync(mirror.queue, { mode: 'full' });
    const { runId } = await waitForJob<{ runId: number }>(redis, mirror.queue, job);
    const run = await waitForRunEnd(queued.database.db, runId, { intervalMs: 50 });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const served = queued.fake.stats.log.filter((l) => `${l.path}?${l.query}`.includes(page));
    expect(served.map((l) => l.status)).toEqual([500, 500, 500, 500, 500, 500, 200]);
    const pageJob = (await mirror.queue.getJobs(['completed'], 0, 500)).find((j) => j.name === 'sync-pages' && j.data.page === 3 && j.data.kind === 'datasets');
    expect(pageJob?.attemptsStarted).toBe(3);
    expect((run.completeness as Record<string, { complete: boolean }>).datasets?.complete).toBe(true);
    expect(await mirrorState(queued)).toEqual(await mirrorState(clean));
  });
});
