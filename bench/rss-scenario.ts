// The rss scenario: peak RSS of the compiled CLI (`node dist/bin/mirror.js sync --mode full`, as ops run
// it) doing one full sync and nothing else, against 200 MB at any scale. Touches Postgres, HTTP, child processes, /proc.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { lineBase, type CatalogState } from './catalog.ts';
import { onCleanup } from './cleanup.ts';
import { createBenchDatabase } from './databases.ts';
import { ROOT, stopChild } from './fake-process.ts';
import { NODE_RUNTIME_FLAGS, RUNTIME_ENV } from '../src/runtime-flags.ts';
import { say, type Line } from './report.ts';

const TARGET_MB = 200;
/** The configuration's cap: the CLI cannot go faster, which only makes the run longer. */
const CLI_MAX_RPS = 100;

/** VmHWM (the kernel's peak resident set) and VmRSS of a live process, in MB; undefined once it is gone. */
async function memoryOf(pid: number): Promise<{ peak: number; now: number } | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status ?? '')?.[1] ?? NaN);
  return status === undefined ? undefined : { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
}

export async function rssLine(state: CatalogState): Promise<Line> {
  const db = await createBenchDatabase('rss');
  const { settings } = state;
  say('rss: one full sync by the compiled CLI in a child process');
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    ...RUNTIME_ENV,
    DATABASE_URL: db.url,
    DATAGOUV_BASE_URL: state.fake.url,
    DATAGOUV_PAGE_SIZE: String(settings.pageSize),
    DATAGOUV_MAX_CONCURRENCY: String(settings.concurrency),
    DATAGOUV_REQUESTS_PER_SECOND: String(CLI_MAX_RPS),
    LOG_LEVEL: 'warn',
  };
  const started = performance.now();
  const child = spawn(process.execPath, [...NODE_RUNTIME_FLAGS, 'dist/bin/mirror.js', 'sync', '--mode', 'full'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = onCleanup(`rss child (pid ${child.pid})`, async () => {
    child.kill('SIGKILL');
    await stopChild(child);
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-4_000)));
  child.stderr!.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-4_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  let peak = 0;
  let idle: number | undefined;
  let running = true;
  void exited.then(() => (running = false));
  while (running) {
    const memory = await memoryOf(child.pid!);
    // A zombie (exited, not yet reaped) has no Vm lines: NaN is skipped.
    if (memory && Number.isFinite(memory.peak)) {
      peak = Math.max(peak, memory.peak);
      idle ??= performance.now() - started > 300 ? memory.now : undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const code = await exited;
  const seconds = (performance.now() - started) / 1000;
  await stop();
  await db.drop();
  const error = code === 0 ? undefined : `the CLI exited with ${code}: ${out.trim().split('\n').at(-1) ?? ''}`;
  return {
    ...lineBase(state, 'rss'),
    rps: CLI_MAX_RPS,
    seconds,
    baseline_seconds: null,
    ratio: peak / TARGET_MB,
    target: `<= ${TARGET_MB} MB at any scale`,
    ok: peak <= TARGET_MB && code === 0,
    error,
    max_rss_mb: peak,
    start_rss_mb: idle ?? null,
    note: 'VmHWM of `node dist/bin/mirror.js sync --mode full` sampled every 50 ms until it exits (the peak is the kernel\'s, so a short spike between samples still counts); rate capped at the configuration\'s 100/s',
  };
}
