// The worker process: a BullMQ worker on the mirror's queue with every job handler; SIGTERM/SIGINT
// stop it gracefully within a bounded time. Also reaps runs whose workers died. Touches Redis, Postgres, HTTP.
import { Worker } from 'bullmq';
import os from 'node:os';
import { loadConfig, type Config } from '../src/config.ts';
import { failStaleRuns } from '../src/db/runs.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { createRedis, isRedisConnectionError } from '../src/queue/connection.ts';
import { failAbandonedRuns } from './abandoned-runs.ts';
import { closeRunOfJob, createProcessor, isFinalFailure } from './index.ts';
import { guardAgainstDriverFaults } from '../src/driver-faults.ts';
import { createJobRuntime } from './runtime.ts';

export interface RunningWorker {
  worker: Worker;
  /** Waits for active jobs up to the shutdown timeout, then leaves them to other workers. */
  stop(): Promise<void>;
}

export async function startWorker(config: Config, options: { concurrency?: number; logger?: Logger } = {}): Promise<RunningWorker> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const abort = new AbortController();
  const rt = createJobRuntime(config, logger, abort.signal);
  // With the logger, a Redis outage is told once per reconnection step for all the worker's connections.
  const connection = createRedis(config.REDIS_URL, { name: 'datagouv-mirror-worker-blocking', logger });
  const worker = new Worker(config.QUEUE_NAME, createProcessor(rt), {
    connection,
    name: `${os.hostname()}-${process.pid}`,
    concurrency: options.concurrency ?? config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    // A job may be taken over a few times (killed workers) before it is failed.
    maxStalledCount: 5,
  });
  worker.on('failed', (job, error) => {
    logger.warn({ jobId: job?.id, name: job?.name, attempt: job?.attemptsMade, err: error }, 'job failed');
    // A stage job that failed for good leaves its run without a next stage: a close-run job (retried
    // through database outages) closes it; should even that fail, the abandoned-run check does.
    if (job && isFinalFailure(job)) {
      closeRunOfJob(rt, job, `Job ${job.name} ${job.id} failed for good: ${error.message}`).catch((e: unknown) =>
        logger.warn({ err: e }, 'could not queue the closing of the run'),
      );
    }
  });
  // BullMQ re-emits every connection error of its clients: those are already in the step lines.
  const onError = (error: Error) =>
    isRedisConnectionError(error) ? logger.debug({ err: error }, 'Redis connection error') : logger.error({ err: error }, 'worker error');
  worker.on('error', onError);
  rt.mirror.queue.on('error', onError);
  rt.mirror.flows.on('error', onError);
  worker.on('completed', (job) => logger.debug({ jobId: job.id, name: job.name }, 'job completed'));
  // Runs whose processes died (no heartbeat) or whose queued jobs are gone (a Redis reset) are closed;
  // also right after Redis comes back, when a reset is likeliest to have emptied the queue.
  const reap = () => {
    failStaleRuns(rt.database.db, config.RUN_STALE_AFTER_MS)
      .then((ids) => ids.length && logger.warn({ runs: ids }, 'marked runs without heartbeat as failed'))
      .catch((error: unknown) => logger.warn({ err: error }, 'stale-run check failed'));
    failAbandonedRuns(rt.database.db, rt.mirror)
      .then((ids) => ids.length && logger.warn({ runs: ids }, 'marked runs whose queued jobs are gone as failed'))
      .catch((error: unknown) => logger.warn({ err: error }, 'abandoned-run check failed'));
  };
  const reaper = setInterval(reap, Math.min(60_000, Math.max(1_000, Math.floor(config.RUN_STALE_AFTER_MS / 3))));
  let wasDown = false;
  rt.redis.on('close', () => {
    wasDown = true;
  });
  rt.redis.on('ready', () => {
    if (!wasDown) return;
    wasDown = false;
    reap();
  });
  reaper.unref();
  await worker.waitUntilReady();
  logger.info({ queue: config.QUEUE_NAME, concurrency: worker.concurrency }, 'worker started');
  let stopping: Promise<void> | undefined;
  return {
    worker,
    stop() {
      stopping ??= (async () => {
        clearInterval(reaper);
        const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, config.WORKER_SHUTDOWN_TIMEOUT_MS, 'timeout').unref());
        const closed = worker.close().then(() => 'closed' as const);
        if ((await Promise.race([closed, timeout])) === 'timeout') {
          logger.warn('shutdown timeout: active jobs are left to other workers');
          abort.abort(new Error('worker shutting down'));
          // With Redis down, closing waits for commands that cannot be sent: bounded, then dropped.
          await within(5_000, worker.close(true));
        }
        if ((await within(5_000, rt.close())) === 'timeout') rt.redis.disconnect();
        if ((await within(2_000, connection.quit().catch(() => {}))) === 'timeout') connection.disconnect();
        logger.info('worker stopped');
      })();
      return stopping;
    },
  };
}

/** Waits for `promise` at most `ms`; says which came first. */
async function within(ms: number, promise: Promise<unknown>): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(resolve, ms, 'timeout');
  });
  try {
    return await Promise.race([promise.then(() => 'done' as const, () => 'done' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a worker until SIGTERM or SIGINT. */
export async function runWorkerUntilSignal(config: Config, options: { concurrency?: number } = {}): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL);
  const unguard = guardAgainstDriverFaults(logger, 'the worker');
  const running = await startWorker(config, { ...options, logger });
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      running.stop().then(resolve, resolve).finally(unguard);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runWorkerUntilSignal(loadConfig()).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
