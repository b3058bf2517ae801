// The worker process: a BullMQ worker on the mirror's queue with every job handler; SIGTERM/SIGINT
// stop it gracefully within a bounded time. Also reaps runs whose workers died. Touches Redis, Postgres, HTTP.
import { Worker } from 'bullmq';
import os from 'node:os';
import { loadConfig, type Config } from '../src/config.ts';
import { failStaleRuns } from '../src/db/runs.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { createRedis } from '../src/queue/connection.ts';
import { createProcessor, failRunOfJob, isFinalFailure } from './index.ts';
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
  const connection = createRedis(config.REDIS_URL, { name: 'datagouv-mirror-worker-blocking' });
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
    // A stage job that failed for good leaves its run without a next stage: close the run now.
    if (job && isFinalFailure(job)) {
      failRunOfJob(rt, job, `Job ${job.name} ${job.id} failed for good: ${error.message}`).catch((e: unknown) =>
        logger.warn({ err: e }, 'could not mark the run failed'),
      );
    }
  });
  worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
  worker.on('completed', (job) => logger.debug({ jobId: job.id, name: job.name }, 'job completed'));
  const reaper = setInterval(() => {
    failStaleRuns(rt.database.db, config.RUN_STALE_AFTER_MS)
      .then((ids) => ids.length && logger.warn({ runs: ids }, 'marked runs without heartbeat as failed'))
      .catch((error: unknown) => logger.warn({ err: error }, 'stale-run check failed'));
  }, Math.min(60_000, config.RUN_STALE_AFTER_MS));
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
          await worker.close(true);
        }
        await rt.close();
        await connection.quit().catch(() => {});
        logger.info('worker stopped');
      })();
      return stopping;
    },
  };
}

/** Runs a worker until SIGTERM or SIGINT. */
export async function runWorkerUntilSignal(config: Config, options: { concurrency?: number } = {}): Promise<void> {
  const running = await startWorker(config, options);
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      running.stop().then(resolve, resolve);
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
