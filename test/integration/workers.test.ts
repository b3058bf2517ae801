// Worker processes as ops run them: two share one run within the global budget, a SIGKILLed worker's
// work is taken over with nothing lost or doubled, SIGTERM stops a worker in bounded time, and a run
// whose workers all died is marked failed. Real Redis, PostgreSQL and child processes.
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openCatalogRun, RunEndedError, RunInProgressError } from '../../src/db/runs.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { enqueueSync, waitForJob, waitForRunEnd } from '../../src/queue/enqueue.ts';
import { openQueue, type MirrorQueue } from '../../src/queue/queue.ts';
import { startHarness, type Harness, mirrorState } from '../support/harness.ts';
import { obliterateQueue, spawnWorker, testConfig, uniqueQueueName, type WorkerProcess } from '../support/queue.ts';

const FAKE = { seed: 23, publicUrl: 'https://www.data.gouv.fr', counts: { datasets: 300, organizations: 12, reuses: 20, users: 60 } };


describe('worker processes', () => {
  let clean: Harness;
  let h: Harness;
  let redis: Redis;
  let mirror: MirrorQueue;
  let queueName: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    clean = await startHarness({ fake: FAKE, context: { pageSize: 10 } });
    expect((await clean.sync({ mode: 'full' })).status).toBe('succeeded');
  });
  afterAll(async () => clean?.close());

  async function setUp(latencyMs: number) {
    h = await startHarness({ fake: FAKE });
    await h.fake.setFaults({ latencyMs });
    queueName = uniqueQueueName();
    const config = testConfig({
      DATABASE_URL: h.database.url,
      DATAGOUV_BASE_URL: h.fake.url,
      QUEUE_NAME: queueName,
      DATAGOUV_PAGE_SIZE: '10',
    });
    redis = createRedis(config.REDIS_URL);
    mirror = openQueue(redis, queueName);
    return config;
  }

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    await mirror?.close();
    await redis?.quit();
    await obliterateQueue(queueName);
    await h?.close();
  });

  async function startRun(): Promise<number> {
    const job = await enqueueSync(mirror.queue, { mode: 'full' });
    const { runId } = await waitForJob<{ runId: number }>(redis, mirror.queue, job);
    return runId;
  }

  it('share one run between two processes, within the global request budget', async () => {
    const config = await setUp(25);
    workers.push(await spawnWorker(config, 4), await spawnWorker(config, 4));
    const run = await waitForRunEnd(h.database.db, await startRun(), { intervalMs: 100 });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect(await mirrorState(h)).toEqual(await mirrorState(clean));
    const done = await mirror.queue.getJobs(['completed']);
    // Each worker names itself host-pid: both processes completed jobs of this run.
    expect(new Set(done.map((j) => j.processedBy)).size).toBe(2);
    // 2 workers x 4 jobs at once, but never more than DATAGOUV_MAX_CONCURRENCY requests in flight.
    expect(h.fake.stats.peakInFlight).toBeLessThanOrEqual(config.DATAGOUV_MAX_CONCURRENCY);
    expect(h.fake.stats.peakInFlight).toBeGreaterThan(1);
  });

  it('take over a SIGKILLed worker\'s run: completed pages are not redone, the mirror equals a clean run', async () => {
    const config = await setUp(30);
    const first = await spawnWorker(config, 2);
    workers.push(first);
    const events = new QueueEvents(queueName, { connection: redis.duplicate() });
    await events.waitUntilReady();
    let pagesDone = 0;
    const enoughDone = new Promise<void>((resolve) =>
      events.on('completed', ({ jobId }) => {
        if (jobId.includes('-page-') && ++pagesDone === 8) resolve();
      }),
    );
    const runId = await startRun();
    await enoughDone;
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    workers.push(await spawnWorker(config, 2));
    const run = await waitForRunEnd(h.database.db, runId, { intervalMs: 100 });
    await events.close();
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect(await mirrorState(h)).toEqual(await mirrorState(clean));
    const duplicates = await h.database.sql`select entity_type, entity_id, op, count(*)::int from changes group by 1, 2, 3 having count(*) > 1`;
    expect(duplicates).toEqual([]);
    // Only the pages in flight when the worker died are fetched twice.
    const pageFetches = new Map<string, number>();
    for (const e of h.fake.stats.log.filter((l) => l.path === '/api/1/datasets/')) pageFetches.set(e.query, (pageFetches.get(e.query) ?? 0) + 1);
    const refetched = [...pageFetches.values()].filter((n) => n > 1).length;
    expect(Math.max(...pageFetches.values())).toBeLessThanOrEqual(2);
    expect(refetched).toBeLessThanOrEqual(2);
  });

  it('stop on SIGTERM within the shutdown timeout', async () => {
    const config = await setUp(200);
    const worker = await spawnWorker(config, 2);
    workers.push(worker);
    const events = new QueueEvents(queueName, { connection: redis.duplicate() });
    await events.waitUntilReady();
    const active = new Promise<void>((resolve) => events.once('active', () => resolve()));
    await enqueueSync(mirror.queue, { mode: 'full' });
    await active;
    const asked = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    await events.close();
    expect(exit.code).toBe(0);
    expect(Date.now() - asked).toBeLessThan(config.WORKER_SHUTDOWN_TIMEOUT_MS + 4_000);
    expect(worker.stderr()).toContain('worker stopped');
  });
});

describe('a run whose workers all died', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 10, organizations: 2, reuses: 2, users: 5 } } });
  });
  afterAll(async () => h?.close());

  it('is marked failed once its heartbeat is stale, and no longer blocks new runs', async () => {
    const [dead] = await h.database.sql`insert into sync_runs (mode, kinds, heartbeat_at) values ('full', '{}', now() - interval '1 hour') returning id`;
    const [alive] = await h.database.sql`insert into sync_runs (mode, kinds) values ('incremental', '{}') returning id`;
    const open = () => openCatalogRun(h.database.db, { kinds: ['datasets'], staleAfterMs: 60_000 });
    await expect(open()).rejects.toBeInstanceOf(RunInProgressError);
    const [row] = await h.database.sql`select status, error, finished_at from sync_runs where id = ${dead!.id}`;
    expect(row!.status).toBe('failed');
    expect(row!.error).toMatch(/^No heartbeat since .* UTC: the process running it stopped \(killed or crashed\)\.$/);
    await h.database.sql`update sync_runs set heartbeat_at = now() - interval '2 hours' where id = ${alive!.id}`;
    await expect(open()).resolves.toMatchObject({ mode: 'full', resumed: false });
  });

  it('opens one run only when two processes ask at the same moment', async () => {
    await h.database.sql`update sync_runs set status = 'failed' where status = 'running'`;
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, () => openCatalogRun(h.database.db, { kinds: ['datasets'], staleAfterMs: 60_000 })),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect(attempts.filter((a) => a.status === 'rejected').every((a) => (a as PromiseRejectedResult).reason instanceof RunInProgressError)).toBe(true);
  });

  it('gives a retried coordinator the run it already opened, and only while it runs', async () => {
    await h.database.sql`update sync_runs set status = 'failed' where status = 'running'`;
    const uuid = randomUUID();
    const first = await openCatalogRun(h.database.db, { kinds: ['datasets'], uuid, jobId: 'job-7', staleAfterMs: 60_000 });
    const retried = await openCatalogRun(h.database.db, { kinds: ['datasets'], uuid, jobId: 'job-7', staleAfterMs: 60_000 });
    expect(retried).toEqual({ ...first, uuid, resumed: true });
    // The same job id names nothing: a job of another Redis (ids restart after a reset) opens no stranger's run.
    await expect(openCatalogRun(h.database.db, { kinds: ['datasets'], uuid: randomUUID(), jobId: 'job-7', staleAfterMs: 60_000 }))
      .rejects.toBeInstanceOf(RunInProgressError);
    await h.database.sql`update sync_runs set status = 'failed' where id = ${first.id}`;
    await expect(openCatalogRun(h.database.db, { kinds: ['datasets'], uuid, staleAfterMs: 60_000 })).rejects.toBeInstanceOf(RunEndedError);
  });
});
