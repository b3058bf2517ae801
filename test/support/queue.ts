// Queue test helpers: a unique queue per test, worker processes spawned as ops run them, and
// teardown that obliterates the queue. Touches Redis and child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createRedis } from '../../src/queue/connection.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function uniqueQueueName(): string {
  return `dgm-test-${randomBytes(4).toString('hex')}`;
}

/** A configuration for workers of one test: its database, fake API and queue; fast stall detection. */
export function testConfig(overrides: Record<string, string>): Config {
  return loadConfig({
    REDIS_URL: inject('redisUrl'),
    LOG_LEVEL: 'silent',
    DATAGOUV_PAGE_SIZE: '20',
    DATAGOUV_MAX_CONCURRENCY: '3',
    DATAGOUV_REQUESTS_PER_SECOND: '100',
    USERS_REFRESH_PER_RUN: '0',
    DATAGOUV_RETRIES: '2',
    DATAGOUV_RETRY_DELAY_MS: '10',
    WORKER_LOCK_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    WORKER_SHUTDOWN_TIMEOUT_MS: '5000',
    ...overrides,
  });
}

export function configEnv(config: Config): Record<string, string> {
  return Object.fromEntries(Object.entries(config).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** `npm run mirror -- worker` as a separate process; resolves once it logged that it started. */
export async function spawnWorker(config: Config, concurrency = 4): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/mirror.ts', 'worker', '--concurrency', String(concurrency)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...configEnv(config), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('worker started')) resolve();
    });
    exited.then(() => reject(new Error(`worker exited before starting: ${stderr}`)));
  });
  return { child, exited, stderr: () => stderr };
}

/** Removes every key of the test's queue. */
export async function obliterateQueue(name: string): Promise<void> {
  const connection = createRedis(inject('redisUrl'));
  const queue = new Queue(name, { connection });
  try {
    await queue.obliterate({ force: true });
    const budgetKeys = await connection.keys(`${name}:budget*`);
    if (budgetKeys.length) await connection.del(...budgetKeys);
  } finally {
    await queue.close();
    await connection.quit();
  }
}
