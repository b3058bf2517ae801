// Queued runs outlive their servers: a PostgreSQL fast restart or crash, a Redis restart with and
// without persistence and a recreated database, with two worker processes. Each case ends with the
// mirror equal to a clean run's, no duplicate `changes` and every run closed with the right status.
// Every server restarted here is this file's own (test/support/servers.ts), never the shared ones.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { openDb, type DbHandle } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { enqueueSync, waitForJob, waitForRunEnd } from '../../src/queue/enqueue.ts';
import { openQueue, type MirrorQueue } from '../../src/queue/queue.ts';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { mirrorState, startHarness, type Harness } from '../support/harness.ts';
import { configEnv, spawnWorker, testConfig, uniqueQueueName, type WorkerProcess } from '../support/queue.ts';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from '../support/servers.ts';
import type { TestDatabase } from '../support/db.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FAKE = { seed: 41, publicUrl: 'https://www.data.gouv.fr', counts: { datasets: 240, organizations: 12, reuses: 20, users: 40 } };

describe('queued runs through server outages', () => {
  let clean: Harness;
  let pg: OwnPostgres;
  let fake: FakeDatagouv;
  let redisServer: OwnRedis | undefined;
  let database: DbHandle | undefined;
  let redis: Redis | undefined;
  let mirror: MirrorQueue | undefined;
  let events: QueueEvents | undefined;
  const workers: WorkerProcess[] = [];
  const clis: ChildProcess[] = [];
  let dbCount = 0;

  beforeAll(async () => {
    [clean, pg, fake] = await Promise.all([
      startHarness({ fake: FAKE, context: { pageSize: 10 } }),
      startOwnPostgres(),
      startFakeDatagouv(FAKE),
    ]);
    expect((await clean.sync({ mode: 'full' })).status).toBe('succeeded');
  });
  afterAll(async () => {
    await Promise.allSettled([clean?.close(), fake?.close()]);
    await pg?.destroy();
  });

  afterEach(async () => {
    // Processes first, by pid, so that none outlives a failed or timed-out case.
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    for (const child of clis.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Clients before their server: BullMQ's close waits on a connection whose server is gone.
    await events?.close().catch(() => {});
    await mirror?.close();
    redis?.disconnect();
    await database?.close();
    await redisServer?.destroy();
    events = mirror = redis = database = redisServer = undefined;
    await fake.clearFaults();
  });

  /** A migrated database on the own cluster, an own Redis, two workers, and the queue's events. */
  async function setUp(options: { persistent?: boolean; latencyMs?: number } = {}): Promise<Config> {
    const url = pg.url(`mirror_${++dbCount}`);
    await runMigrations(url);
    redisServer = await startOwnRedis({ persistent: options.persistent });
    await fake.setFaults({ latencyMs: options.latencyMs ?? 40 });
    const config = testConfig({
      DATABASE_URL: url,
      REDIS_URL: redisServer.url,
      DATAGOUV_BASE_URL: fake.url,
      QUEUE_NAME: uniqueQueueName(),
      DATAGOUV_PAGE_SIZE: '10',
      JOB_ATTEMPTS: '15',
      JOB_BACKOFF_MS: '200',
    });
    database = openDb(url, { max: 2 });
    redis = createRedis(redisServer.url);
    redis.on('error', () => {});
    mirror = openQueue(redis, config.QUEUE_NAME);
    events = await queueEvents(config.QUEUE_NAME);
    workers.push(await spawnWorker(config, 2), await spawnWorker(config, 2));
    return config;
  }

  /** The queue's events on a connection of their own, quiet through the outages of this file. */
  async function queueEvents(name: string): Promise<QueueEvents> {
    const connection = redis!.duplicate();
    connection.on('error', () => {});
    const created = new QueueEvents(name, { connection });
    created.on('error', () => {});
    await created.waitUntilReady();
    return created;
  }

  /** Resolves once `count` page jobs completed: the run is under way. */
  function pagesCompleted(count: number): Promise<void> {
    let done = 0;
    return new Promise((resolve) => {
      events!.on('completed', ({ jobId }) => {
        if (jobId.includes('-page-') && ++done === count) resolve();
      });
    });
  }

  async function startRun(): Promise<number> {
    const job = await enqueueSync(mirror!.queue, { mode: 'full' });
    const started = await waitForJob<{ runId: number; skipped?: boolean; reason?: string }>(redis!, mirror!.queue, job);
    expect(started.skipped, started.reason).toBeUndefined();
    return started.runId;
  }

  async function expectCleanMirror(): Promise<void> {
    const view = { database: { sql: database!.sql } as unknown as TestDatabase };
    expect(await mirrorState(view)).toEqual(await mirrorState(clean));
    const duplicates = await database!.sql`select entity_type, entity_id, op, run_id, count(*)::int from changes group by 1, 2, 3, 4 having count(*) > 1`;
    expect(duplicates).toEqual([]);
    expect(await database!.sql`select id from sync_runs where status = 'running'`).toEqual([]);
  }

  /** Resolves once the workers' logs hold `count` lines matching `pattern` in all. */
  function workerLines(pattern: RegExp, count: number): Promise<void> {
    const matches = () => workers.reduce((n, w) => n + w.stderr().split('\n').filter((l) => pattern.test(l)).length, 0);
    return new Promise((resolve) => {
      const check = () => matches() >= count && resolve();
      for (const w of workers) w.child.stderr!.on('data', check);
      check();
    });
  }

  function workersAlive(): void {
    for (const w of workers) expect(w.child.exitCode, w.stderr().slice(-2_000)).toBeNull();
  }

  it('every stage job carries attempts with backoff, flows included', async () => {
    const config = await setUp({ latencyMs: 150 });
    const planned = pagesCompleted(1);
    const runId = await startRun();
    await planned;
    const pages = await mirror!.queue.getJobs(['waiting', 'active', 'delayed', 'completed'], 0, 50);
    const page = pages.find((j) => j.name === 'sync-pages');
    expect(page?.opts.attempts).toBe(config.JOB_ATTEMPTS);
    expect(page?.opts.backoff).toEqual({ type: 'exponential', delay: config.JOB_BACKOFF_MS });
    const [collect] = await mirror!.queue.getJobs(['waiting-children'], 0, 5);
    expect(collect?.name).toBe('sync-collect');
    expect(collect?.opts.attempts).toBe(config.JOB_ATTEMPTS);
    expect((await waitForRunEnd(database!.db, runId, { intervalMs: 100 })).status).toBe('succeeded');
  });

  it('rides through a PostgreSQL fast restart', async () => {
    await setUp();
    const underWay = pagesCompleted(4);
    const runId = await startRun();
    await underWay;
    await pg.restartFast();
    const run = await waitForRunEnd(database!.db, runId, { intervalMs: 100 });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    workersAlive();
    await expectCleanMirror();
  });

  it('rides through a PostgreSQL crash and an outage of several failed attempts', async () => {
    await setUp();
    const underWay = pagesCompleted(4);
    const runId = await startRun();
    await underWay;
    const failing = workerLines(/"msg":"job failed"/, 3);
    await pg.crash();
    try {
      await failing; // jobs failed attempts against the dead server: they wait in backoff
    } finally {
      await pg.start();
    }
    const run = await waitForRunEnd(database!.db, runId, { intervalMs: 100 });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    workersAlive();
    await expectCleanMirror();
  });

  it('rides through a Redis restart with persistence', async () => {
    await setUp({ persistent: true });
    const underWay = pagesCompleted(4);
    const runId = await startRun();
    await underWay;
    await redisServer!.restart();
    const run = await waitForRunEnd(database!.db, runId, { intervalMs: 100 });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    workersAlive();
    await expectCleanMirror();
  });

  it('after a Redis restart without persistence, closes the run, keeps its workers, and the next run completes the mirror', async () => {
    await setUp({ persistent: false });
    const underWay = pagesCompleted(4);
    const runId = await startRun();
    await underWay;
    await redisServer!.restart();
    const lost = await waitForRunEnd(database!.db, runId, { intervalMs: 100 });
    expect(lost.status).toBe('failed');
    expect(lost.error).toMatch(/queued jobs are gone from Redis/);
    workersAlive();
    await events!.close();
    events = await queueEvents(mirror!.queue.name);
    const next = await waitForRunEnd(database!.db, await startRun(), { intervalMs: 100 });
    expect(next.error).toBeNull();
    expect(next.status).toBe('succeeded');
    workersAlive();
    await expectCleanMirror();
  });

  it('runs again on a recreated database although the queue holds the completed jobs of its first life', async () => {
    const config = await setUp({ latencyMs: 5 });
    const first = await waitForRunEnd(database!.db, await startRun(), { intervalMs: 100 });
    expect(first.status).toBe('succeeded');
    expect(await mirror!.queue.getJobCountByTypes('completed')).toBeGreaterThan(10);
    await database!.close();
    const admin = postgres(pg.url(), { max: 1, onnotice: () => {} });
    const name = new URL(config.DATABASE_URL).pathname.slice(1);
    await admin.unsafe(`drop database ${name} with (force)`);
    await admin.end();
    await runMigrations(config.DATABASE_URL);
    database = openDb(config.DATABASE_URL, { max: 2 });
    const second = await waitForRunEnd(database.db, await startRun(), { intervalMs: 100 });
    expect(second.id).toBe(first.id); // the same run id in the new database: only the uuid tells them apart
    expect(second.error).toBeNull();
    expect(second.status).toBe('succeeded');
    await expectCleanMirror();
  });

  it('sync --queue --wait says in one sentence that Redis is unreachable, and goes on once it is back', async () => {
    const config = await setUp({ persistent: true, latencyMs: 60 });
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/mirror.ts', 'sync', '--queue', '--wait', '--mode', 'full'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...configEnv(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    clis.push(child);
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const seen = (pattern: RegExp, stream: () => string, source: NodeJS.ReadableStream) =>
      new Promise<void>((resolve) => {
        const check = () => pattern.test(stream()) && resolve();
        source.on('data', check);
        check();
      });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const underWay = pagesCompleted(2);
    await seen(/Queued sync job/, () => stdout, child.stdout);
    await underWay;
    await redisServer!.stop();
    await seen(/is unreachable/, () => stderr, child.stderr);
    await redisServer!.start();
    expect(await exited, stderr).toBe(0);
    expect(stderr.match(/is unreachable/g)).toHaveLength(1);
    expect(stderr).toMatch(/answers again/);
    expect(stderr).not.toMatch(/^\s+at /m); // no stack traces
    expect(stdout).toMatch(/succeeded/);
    workersAlive();
    await expectCleanMirror();
  });
});
