// --wait: follows a queued job to its run and the run to its end, saying in one sentence when Redis
// or PostgreSQL is unreachable meanwhile, and going on once it is back. Touches Redis and Postgres.
import type { Job } from 'bullmq';
import type { Config } from '../config.ts';
import { redactUrl } from '../db/migrate.ts';
import { causeMessage } from '../errors.ts';
import { JobVanishedError, waitForJob, waitForRunEnd } from '../queue/enqueue.ts';
import type { SyncRun } from '../db/runs.ts';
import { createRuntime } from '../runtime.ts';
import type { QueueHandle } from './context.ts';
import { CliError } from './errors.ts';

const say = (line: string) => process.stderr.write(`${line}\n`);

function codeOf(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return typeof code === 'string' ? code : typeof message === 'string' ? message : 'no answer';
}

/** Says once when Redis stops answering and once when it answers again, for as long as --wait
 * follows work that only the workers, through Redis, can move on; returns its stop. */
export function watchRedis(config: Config, queue: QueueHandle): () => void {
  const watcher = queue.redis.duplicate({ lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: (times: number) => Math.min(times * 200, 2_000) });
  let reachable = true;
  let lastError: unknown;
  watcher.on('error', (error: unknown) => {
    lastError = error; // told once per outage below, never as an unhandled event
  });
  watcher.on('reconnecting', () => {
    if (!reachable) return;
    reachable = false;
    say(`Redis at ${redactUrl(config.REDIS_URL)} is unreachable (${codeOf(lastError)}): the workers wait for it, and so does this command.`);
  });
  watcher.on('ready', () => {
    if (reachable) return;
    reachable = true;
    say(`Redis at ${redactUrl(config.REDIS_URL)} answers again: following the run.`);
  });
  return () => watcher.disconnect();
}

/** The run a queued job opened (it waits through Redis outages); a job that did not start one says why. */
export async function runOfJob(config: Config, queue: QueueHandle, job: Job, what: string): Promise<number> {
  let result: { runId?: number; skipped?: boolean; reason?: string };
  try {
    result = await waitForJob(queue.redis, queue.mirror.queue, job);
  } catch (error) {
    if (error instanceof JobVanishedError) {
      if (error.runId) return error.runId; // the run's row tells how it ends (the workers close it)
      throw new CliError(`The ${what} did not start: ${error.message}`);
    }
    throw new CliError(`The ${what} job ${job.id} failed: ${causeMessage(error).replace(/\.?$/, '.')}`);
  }
  if (result.skipped || !result.runId) throw new CliError(`The ${what} did not start: ${result.reason ?? 'its job ended without a run.'}`);
  return result.runId;
}

/** Waits for a run's row to leave `running` (through database outages). */
export async function runEnd(config: Config, runId: number): Promise<SyncRun> {
  const runtime = createRuntime(config);
  try {
    return await waitForRunEnd(runtime.database.db, runId, {
      onDatabaseState: (reachable, error) =>
        say(
          reachable
            ? `PostgreSQL at ${redactUrl(config.DATABASE_URL)} answers again: following run ${runId}.`
            : `PostgreSQL at ${redactUrl(config.DATABASE_URL)} is unreachable (${codeOf(error)}): waiting for it to come back.`,
        ),
    });
  } finally {
    await runtime.close();
  }
}
