// One queue-mode sync with N compiled `dist/bin/mirror.js worker` processes on a queue of its own, timed from enqueue to the run's end, then cleaned up. Touches Redis, Postgres, child processes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { openDb } from '../src/db/client.ts';
import type { ListedKind } from '../src/harvest/kinds/index.ts';
import { createRedis } from '../src/queue/connection.ts';
import { enqueueSync, waitForJob, waitForRunEnd } from '../src/queue/enqueue.ts';
import { openQueue } from '../src/queue/queue.ts';
import { onCleanup } from './cleanup.ts';
import { cpuByProcessWindow, machineCpuWindow, waitForQuietMachine } from './cpu.ts';
import { say } from './report.ts';
import { ROOT, stopChild } from './fake-process.ts';
import { NODE_RUNTIME_FLAGS, RUNTIME_ENV } from '../src/runtime-flags.ts';
import { jobTimings, type JobTimings } from './job-timings.ts';

export interface QueueRunOptions {
  databaseUrl: string;
  baseUrl: string;
  workers: number;
  /** Jobs per worker process (`worker --concurrency`). */
  workerConcurrency: number;
  kinds: ListedKind[];
  /** Everything else the workers read from the environment (budget, page size...). */
  env: Record<string, string>;
  /** Pids to name in the CPU breakdown, e.g. the fake's. */
  roles?: Record<string, number[]>;
}

export interface QueueRunResult {
  seconds: number;
  status: string;
  error: string | null;
  seen: number;
  pages: number;
  requests: number;
  machineCpuBusy: number | null;
  cpuByProcess: Record<string, number>;
  timings: JobTimings;
}

const redisUrl = (): string => process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

async function spawnWorker(env: Record<string, string>, concurrency: number) {
  const child = spawn(process.execPath, [...NODE_RUNTIME_FLAGS, 'dist/bin/mirror.js', 'worker', '--concurrency', String(concurrency)], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...RUNTIME_ENV, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = onCleanup(`worker (pid ${child.pid})`, async () => {
    child.kill('SIGTERM');
    await stopChild(child, 10_000);
  });
  let tail = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-20_000);
      if (tail.includes('worker started')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`a worker exited before starting (${code}): ${tail.trim().split('\n').at(-1) ?? ''}`)));
  });
  return { stop, pid: child.pid! };
}

/** Removes the queue's keys and the budget keys named after it. */
async function obliterate(name: string): Promise<void> {
  const connection = createRedis(redisUrl());
  const queue = new Queue(name, { connection });
  try {
    await queue.obliterate({ force: true });
    const keys = await connection.keys(`${name}:*`);
    if (keys.length) await connection.del(...keys);
  } finally {
    await queue.close();
    await connection.quit();
  }
}

export async function timedQueueRun(options: QueueRunOptions): Promise<QueueRunResult> {
  const queueName = `dgm-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
  const dropQueue = onCleanup(`queue ${queueName}`, () => obliterate(queueName));
  const env = { ...options.env, DATABASE_URL: options.databaseUrl, DATAGOUV_BASE_URL: options.baseUrl, REDIS_URL: redisUrl(), QUEUE_NAME: queueName };
  const workers: Array<{ stop: () => Promise<void>; pid: number }> = [];
  const redis = createRedis(redisUrl());
  const mirror = openQueue(redis, queueName);
  const database = openDb(options.databaseUrl, { max: 2 });
  try {
    for (let i = 0; i < options.workers; i++) workers.push(await spawnWorker(env, options.workerConcurrency));
    await waitForQuietMachine(say); // also lets the workers finish compiling their TypeScript
    const started = performance.now();
    const machine = machineCpuWindow();
    const byProcess = cpuByProcessWindow();
    const job = await enqueueSync(mirror.queue, { mode: 'full', kinds: options.kinds });
    const { runId } = await waitForJob<{ runId: number }>(redis, mirror.queue, job);
    const run = await waitForRunEnd(database.db, runId, { intervalMs: 50 });
    const seconds = (performance.now() - started) / 1000;
    const { machine_cpu_busy } = machine();
    const cpuByProcess = byProcess({ ...options.roles, workers: workers.map((w) => w.pid), enqueuer: [process.pid] });
    const timings = await jobTimings(mirror.queue);
    return { seconds, status: run.status, error: run.error, seen: run.seen, pages: run.pages, requests: run.requests, machineCpuBusy: machine_cpu_busy, cpuByProcess, timings };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await mirror.close();
    await redis.quit().catch(() => {});
    await database.close();
    await dropQueue();
  }
}
