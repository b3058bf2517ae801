// Latency-bound scenarios on smaller fakes: in-process full sync vs requests × latency / concurrency, and one worker process vs two. Touches Postgres, HTTP, Redis, child processes.
import type { BenchArgs } from './args.ts';
import { outsideLoadCores } from './cpu.ts';
import { createBenchDatabase } from './databases.ts';
import { startFakeProcess } from './fake-process.ts';
import { runError, settingsOf, timedSync, UNBOUNDED_RPS, type MirrorSettings } from './mirror.ts';
import { timedQueueRun, type QueueRunResult } from './queue-run.ts';
import { say, type Line } from './report.ts';

const LATENCY_MS = 100;

/** A tenth of the bench's catalog: at 100 ms a request, the full size would take minutes. */
export const latencyScale = (args: BenchArgs): number => Math.max(0.001, args.scale / 10);
/** A quarter of the bench's catalog, with small pages: many cheap jobs, so latency (not the 2 CPUs) binds. */
export const workersScale = (args: BenchArgs): number => Math.max(0.004, args.scale / 4);

export async function latencyLine(args: BenchArgs): Promise<Line> {
  const scale = latencyScale(args);
  const settings: MirrorSettings = { pageSize: args.pageSize, concurrency: args.concurrency, requestsPerSecond: UNBOUNDED_RPS, usersPerRun: 0 };
  const fake = await startFakeProcess(scale, args.seed);
  const db = await createBenchDatabase('latency');
  try {
    await fake.setFaults({ latencyMs: LATENCY_MS });
    await fake.resetStats();
    say(`latency: full sync at scale ${scale} with ${LATENCY_MS} ms per answer`);
    const run = await timedSync(db.url, fake.url, settings, { mode: 'full' }, 'latency sync', { fake: [fake.pid] });
    const stats = await fake.stats();
    const ideal = (stats.requests * LATENCY_MS) / 1000 / settings.concurrency;
    const ratio = run.seconds / ideal;
    return {
      scenario: 'latency',
      scale: args.scale,
      catalog_scale: scale,
      ...settingsOf(settings),
      latency_ms: LATENCY_MS,
      seconds: run.seconds,
      baseline_seconds: ideal,
      ratio,
      target: '<= 1.25',
      ok: ratio <= 1.25 && run.outcome.status === 'succeeded',
      error: runError(run.outcome),
      requests: stats.requests,
      peak_in_flight: stats.peakInFlight,
      cpu_seconds_by_process: run.cpuByProcess,
      outside_load_cores: outsideLoadCores({ cpu: run.cpuByProcess, seconds: run.seconds }),
      listings_seconds: run.listingsSeconds,
      machine_cpu_busy: run.machineCpuBusy,
      baseline: 'requests × latency / concurrency',
      fake_api: 'child process',
    };
  } finally {
    await db.drop();
    await fake.close();
  }
}

const WORKER_ENV = {
  // The global budget (shared by all workers through Redis) is set high so that it does not bind:
  // each worker's own job concurrency does.
  DATAGOUV_MAX_CONCURRENCY: '16',
  DATAGOUV_REQUESTS_PER_SECOND: '100',
  DATAGOUV_PAGE_SIZE: '10',
  DATAGOUV_RETRIES: '3',
  DATAGOUV_RETRY_DELAY_MS: '100',
  USERS_REFRESH_PER_RUN: '0',
  LOG_LEVEL: 'info',
};
const WORKER_CONCURRENCY = 4;
/** Users by id are left out: an item job fetches with the whole global budget, so users cannot scale with workers (see the note). */
const KINDS = ['organizations', 'datasets', 'reuses'] as const;

export async function workersLine(args: BenchArgs): Promise<Line> {
  const scale = workersScale(args);
  const fake = await startFakeProcess(scale, args.seed);
  try {
    await fake.setFaults({ latencyMs: args.workersLatencyMs });
    const runs: QueueRunResult[] = [];
    const peaks: number[] = [];
    for (const workers of [1, 2]) {
      const db = await createBenchDatabase(`workers${workers}`);
      try {
        await fake.resetStats();
        say(`workers: queue-mode full sync (listings) at scale ${scale} with ${workers} worker process(es)`);
        const run = await timedQueueRun({ databaseUrl: db.url, baseUrl: fake.url, workers, workerConcurrency: WORKER_CONCURRENCY, kinds: [...KINDS], env: WORKER_ENV, roles: { fake: [fake.pid] } });
        say(`workers: ${workers} → ${run.status} in ${run.seconds.toFixed(1)} s`);
        runs.push(run);
        peaks.push((await fake.stats()).peakInFlight);
      } finally {
        await db.drop();
      }
    }
    const [one, two] = runs as [QueueRunResult, QueueRunResult];
    const ratio = (two.seen / two.seconds) / (one.seen / one.seconds);
    return {
      scenario: 'workers',
      scale: args.scale,
      catalog_scale: scale,
      page_size: Number(WORKER_ENV.DATAGOUV_PAGE_SIZE),
      worker_concurrency: WORKER_CONCURRENCY,
      global_max_concurrency: Number(WORKER_ENV.DATAGOUV_MAX_CONCURRENCY),
      rps: Number(WORKER_ENV.DATAGOUV_REQUESTS_PER_SECOND),
      latency_ms: args.workersLatencyMs,
      kinds: KINDS.join(','),
      seconds: two.seconds,
      baseline_seconds: one.seconds,
      ratio,
      target: '>= 1.8 (throughput, two workers vs one)',
      ok: ratio >= 1.8 && one.status === 'succeeded' && two.status === 'succeeded',
      error: [one.error, two.error].filter(Boolean).join(' ') || undefined,
      entities_seen: [one.seen, two.seen],
      pages: [one.pages, two.pages],
      requests: [one.requests, two.requests],
      peak_in_flight: peaks,
      job_timings: [one.timings, two.timings],
      machine_cpu_busy: [one.machineCpuBusy, two.machineCpuBusy],
      cpu_seconds_by_process: [one.cpuByProcess, two.cpuByProcess],
      outside_load_cores: outsideLoadCores({ cpu: one.cpuByProcess, seconds: one.seconds }, { cpu: two.cpuByProcess, seconds: two.seconds }),
      note: `seconds from enqueue to the run row leaving running; the global budget (16 in flight, 100 rps) is above what 2 × 4 jobs ask, so each worker's --concurrency binds; users are left out because one item job already uses the whole global budget; ${args.workersLatencyMs} ms latency because at 100 ms a page job's own CPU (worker + PostgreSQL) saturates 2 cores with two workers (see machine_cpu_busy)`,
      fake_api: 'child process',
    };
  } finally {
    await fake.close();
  }
}
