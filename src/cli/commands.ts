// What each command does once its arguments are parsed. Touches Postgres, HTTP and Redis.
import type { Config, Settings } from '../config.ts';
import { runMigrations, redactUrl } from '../db/migrate.ts';
import { assertOrganizationKey, harvestOrganization, resolveOrganization } from '../harvest/harvest-org.ts';
import type { ListedKind } from '../harvest/kinds/index.ts';
import { withSignal } from '../harvest/conduct-run.ts';
import { RunInProgressError, runSync, type SyncContext, type SyncOutcome } from '../harvest/run-sync.ts';
import { enqueueHarvestOrg, enqueueSync } from '../queue/enqueue.ts';
import { installNightlySchedule, NIGHTLY_SCHEDULER_ID } from '../queue/scheduler.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import { describeBlockingRun } from './cancel.ts';
import type { Job } from 'bullmq';
import { syncContextOf, queueOf, type QueueHandle } from './context.ts';
import { CliError } from './errors.ts';
import { surviveDriverFaults } from '../driver-faults.ts';
import { untilInterrupted } from './interrupt.ts';
import { runEnd, runOfJob, watchRedis } from './follow.ts';
import { formatSummary } from './format.ts';
import { followQueued } from './queue-progress.ts';

export async function migrateCommand(config: Config): Promise<void> {
  const { created } = await runMigrations(config.DATABASE_URL);
  console.log(`${created ? 'Created and migrated' : 'Migrated'} ${redactUrl(config.DATABASE_URL)}.`);
}

function report(outcome: SyncOutcome, started: number): void {
  console.log(formatSummary(outcome, (Date.now() - started) / 1000));
  if (outcome.status === 'failed') throw new CliError(`Run ${outcome.runId} failed: ${outcome.error}`.replace(/([^.!?])$/, '$1.'));
}

/** How long an in-process run waits for a lost PostgreSQL connection before it fails. */
const DATABASE_RETRY_MS = 60_000;

/** Runs an in-process run: progress on stderr, SIGINT/SIGTERM abort it, lost database connections are
 * waited for, and a driver's fault from its own timers does not end the process. */
export function inProcess<T>(runtime: Runtime, run: (ctx: SyncContext) => Promise<T>): Promise<T> {
  return surviveDriverFaults(runtime.logger, () =>
    untilInterrupted((signal) => {
      const ctx = syncContextOf(runtime, { progress: true });
      return run({ ...ctx, signal, http: withSignal(ctx.http, signal), databaseRetryMs: DATABASE_RETRY_MS });
    }),
  );
}

export async function syncCommand(config: Config, opts: { mode?: 'full' | 'incremental'; kinds?: ListedKind[]; queue?: boolean; wait?: boolean }): Promise<void> {
  const started = Date.now();
  if (opts.queue) return enqueueSyncCommand(config, opts, started);
  const runtime = createRuntime(config);
  try {
    const outcome = await inProcess(runtime, (ctx) => runSync(ctx, { mode: opts.mode, kinds: opts.kinds })).catch(
      async (error: unknown) => {
        if (error instanceof RunInProgressError) throw new CliError(await describeBlockingRun(runtime.database.db, error.runId));
        throw error;
      },
    );
    report(outcome, started);
  } finally {
    await runtime.close();
  }
}

async function enqueueSyncCommand(config: Config, opts: { mode?: 'full' | 'incremental'; kinds?: ListedKind[]; wait?: boolean }, started: number): Promise<void> {
  const queue = await queueOf(config);
  try {
    const job = await enqueueSync(queue.mirror.queue, { mode: opts.mode, kinds: opts.kinds, trigger: 'cli' });
    console.log(`Queued sync job ${job.id} on ${config.QUEUE_NAME}.`);
    if (opts.wait) await followJob(config, queue, job, 'sync', started);
  } finally {
    await queue.close();
  }
}

/** --wait: follows a queued job to its run and the run to its end (saying when Redis is unreachable,
 * showing the run's progress), then reports it like an in-process run. */
async function followJob(config: Config, queue: QueueHandle, job: Job, what: string, started: number): Promise<void> {
  const unwatch = watchRedis(config, queue);
  const unfollow = followQueued(config, queue, `${job.id}`);
  try {
    await followRun(config, await runOfJob(config, queue, job, what), started, unfollow);
  } finally {
    unwatch();
    await unfollow();
  }
}

/** Waits for a distributed run's row to leave `running`, then reports it like an in-process run. */
async function followRun(config: Config, runId: number, started: number, beforeReport?: () => Promise<void>): Promise<void> {
  const run = await runEnd(config, runId);
  await beforeReport?.(); // the progress is done before the summary prints
  report(
    {
      runId,
      mode: run.mode as SyncOutcome['mode'],
      status: run.status as SyncOutcome['status'],
      error: run.error ?? undefined,
      counts: run,
      countsByType: run.countsByType as Record<string, unknown>,
      completeness: run.completeness as Record<string, unknown>,
    },
    started,
  );
}

export async function harvestOrgCommand(config: Config, key: string, opts: { queue?: boolean; wait?: boolean }): Promise<void> {
  assertOrganizationKey(key); // refused before any request
  const started = Date.now();
  const runtime = createRuntime(config);
  try {
    if (!opts.queue) {
      report(await inProcess(runtime, (ctx) => harvestOrganization(ctx, key)), started);
      return;
    }
    const ctx = syncContextOf(runtime);
    const { id } = await resolveOrganization(ctx, key);
    const queue = await queueOf(config);
    try {
      const { job, deduplicated } = await enqueueHarvestOrg(queue.mirror.queue, id);
      console.log(deduplicated ? `A re-harvest of ${id} is already queued or running (job ${job.id}): joined it.` : `Queued re-harvest of ${id} as job ${job.id}.`);
      if (opts.wait) await followJob(config, queue, job, 're-harvest', started);
    } finally {
      await queue.close();
    }
  } finally {
    await runtime.close();
  }
}

export async function scheduleCommand(config: Settings, opts: { cron: string; tz: string }): Promise<void> {
  try {
    new Intl.DateTimeFormat('en', { timeZone: opts.tz });
  } catch {
    throw new CliError(`"${opts.tz}" is not an IANA time zone (e.g. Europe/Paris).`);
  }
  const queue = await queueOf(config);
  try {
    await installNightlySchedule(queue.mirror.queue, opts).catch((error: unknown) => {
      throw new CliError(`Could not install the schedule "${opts.cron}": ${error instanceof Error ? error.message : String(error)}`);
    });
    const scheduler = await queue.mirror.queue.getJobScheduler(NIGHTLY_SCHEDULER_ID);
    const next = scheduler?.next ? new Date(scheduler.next).toISOString() : 'unknown';
    console.log(`Nightly sync scheduled on ${config.QUEUE_NAME}: "${opts.cron}" (${opts.tz}); next run ${next}.`);
  } finally {
    await queue.close();
  }
}
