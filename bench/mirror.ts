// The mirror as `sync` runs it in-process (src/runtime.ts's client and context, the bench's rate budget), timed. Touches Postgres and HTTP.
import type { HttpClient } from '../src/api/http-client.ts';
import { createLocalBudget } from '../src/api/request-budget.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { openDb } from '../src/db/client.ts';
import { runSync, type SyncOutcome, type SyncRequest } from '../src/harvest/run-sync.ts';
import type { ProgressSink } from '../src/harvest/progress.ts';
import { createLogger } from '../src/logger.ts';
import { httpClientFor, syncContextFor } from '../src/runtime.ts';
import { cpuByProcessWindow, machineCpuWindow, waitForQuietMachine } from './cpu.ts';
import { say } from './report.ts';

export interface MirrorSettings {
  pageSize: number;
  /** Requests in flight (the budget) and pages or items in flight (the walk). */
  concurrency: number;
  /** Request starts per second; the bench runs against a loopback fake, so by default it does not bind. */
  requestsPerSecond: number;
  /** Known users refreshed per incremental run; unset (the default), a share of them (USERS_REFRESH_DAYS). */
  usersPerRun?: number;
  /** DATAGOUV_API_KEY: with the fake's admin key, users come from the admin listing. */
  apiKey?: string;
}

/** Far above what a loopback fake serves: the budget's rate never binds, its concurrency does. */
export const UNBOUNDED_RPS = 1_000_000;

/** The settings part of a JSON line. */
export function settingsOf(s: MirrorSettings): Record<string, unknown> {
  return {
    page_size: s.pageSize,
    concurrency: s.concurrency,
    rps: s.requestsPerSecond >= UNBOUNDED_RPS ? 'unbounded' : s.requestsPerSecond,
    admin_key: Boolean(s.apiKey),
    users_refresh: s.usersPerRun === undefined ? 'share (USERS_REFRESH_DAYS)' : s.usersPerRun,
  };
}

/** The configuration `sync` would load with these settings (every other value at its default). */
export function benchConfig(databaseUrl: string, baseUrl: string, s: MirrorSettings): Config {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    DATAGOUV_BASE_URL: baseUrl,
    DATAGOUV_PAGE_SIZE: String(s.pageSize),
    DATAGOUV_MAX_CONCURRENCY: String(s.concurrency),
    ...(s.usersPerRun === undefined ? {} : { USERS_REFRESH_PER_RUN: String(s.usersPerRun) }),
    ...(s.apiKey ? { DATAGOUV_API_KEY: s.apiKey } : {}),
    LOG_LEVEL: process.env['LOG_LEVEL'] || 'warn',
  });
}

/** The runtime's client, with a local budget whose rate may exceed the configuration's cap of 100/s. */
export function benchHttpClient(config: Config, s: MirrorSettings): HttpClient {
  const budget = createLocalBudget({ maxConcurrency: s.concurrency, requestsPerSecond: s.requestsPerSecond });
  return httpClientFor(config, budget, createLogger(config.LOG_LEVEL));
}

export interface TimedSync {
  outcome: SyncOutcome;
  seconds: number;
  /** Seconds until the last listing page was stored (before users by id). */
  listingsSeconds: number;
  requests: number;
  /** Share of all cores busy during the run (mirror, fake, PostgreSQL together). */
  machineCpuBusy: number | null;
  /** CPU seconds by process role during the run (see cpuByProcessWindow). */
  cpuByProcess: Record<string, number>;
}

/** One run in this process with its own pool and client, both closed before returning (so table stats flush). */
export async function timedSync(
  databaseUrl: string,
  baseUrl: string,
  s: MirrorSettings,
  request: SyncRequest,
  label: string,
  roles: Record<string, number[]> = {},
): Promise<TimedSync> {
  await waitForQuietMachine(say);
  const config = benchConfig(databaseUrl, baseUrl, s);
  const database = openDb(config.DATABASE_URL, { max: s.concurrency + 4, harvesting: true });
  const http = benchHttpClient(config, s);
  let started = performance.now();
  let listingsEnd = started;
  let lastSay = started;
  const progress: ProgressSink = {
    update(kind, done, total) {
      const now = performance.now();
      if (!kind.startsWith('users')) listingsEnd = now;
      if (now - lastSay > 10_000) {
        lastSay = now;
        say(`${label}: ${kind} ${done}/${total ?? '?'}`);
      }
    },
    end() {},
  };
  const ctx = syncContextFor(config, { sql: database.sql, db: database.db, http, logger: createLogger(config.LOG_LEVEL), progress });
  try {
    const machine = machineCpuWindow();
    const byProcess = cpuByProcessWindow();
    started = listingsEnd = lastSay = performance.now();
    const outcome = await runSync(ctx, request);
    const seconds = (performance.now() - started) / 1000;
    return {
      outcome,
      seconds,
      listingsSeconds: (listingsEnd - started) / 1000,
      requests: http.stats.requests,
      machineCpuBusy: machine().machine_cpu_busy,
      cpuByProcess: byProcess({ ...roles, mirror: [process.pid] }),
    };
  } finally {
    await http.close();
    await database.close();
  }
}

/** The first sentence of a failed run, for the JSON line. */
export function runError(outcome: SyncOutcome): string | undefined {
  return outcome.status === 'succeeded' ? undefined : (outcome.error ?? 'failed without a reason');
}
