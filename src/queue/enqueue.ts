// Puts work on the queue and, for --wait, follows it to its end through Redis and database outages.
// Touches Redis and Postgres.
import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.ts';
import { sleepOrThrow } from '../api/sleep.ts';
import { isConnectionLoss } from '../db/retry.ts';
import { getRun, type SyncRun } from '../db/runs.ts';
import { JOB_NAMES, jobIds, type HarvestOrgJobData, type SyncJobData } from './jobs.ts';

export async function enqueueSync(queue: Queue, data: SyncJobData): Promise<Job> {
  return queue.add(JOB_NAMES.sync, data);
}

/** One re-harvest per organization at a time: a request while one is queued or running joins it. */
export async function enqueueHarvestOrg(queue: Queue, organizationId: string): Promise<{ job: Job; deduplicated: boolean }> {
  const dedupId = jobIds.harvestOrg(organizationId);
  const existing = await queue.getDeduplicationJobId(dedupId);
  const data: HarvestOrgJobData = { organization: organizationId };
  const job = await queue.add(JOB_NAMES.harvestOrg, data, { deduplication: { id: dedupId } });
  return { job, deduplicated: Boolean(existing) && existing === job.id };
}

/** The job is no longer in Redis (a reset without persistence, a flush, or retention). */
export class JobVanishedError extends Error {
  override name = 'JobVanishedError';
  /** The run the job had opened, when it got that far (its data said so). */
  readonly runId: number | undefined;
  constructor(jobId: string, runId: number | undefined) {
    super(
      runId
        ? `Job ${jobId} is gone from the queue (Redis was reset or flushed) after opening run ${runId}.`
        : `Job ${jobId} is gone from the queue before it opened a run (Redis was reset or flushed): queue it again.`,
    );
    this.runId = runId;
  }
}

export interface WaitOptions {
  /** How often the job's state is read. Default 250. */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Waits for a job's end: its return value, or its failure reason thrown. It reads the job's state
 * on a connection of its own that reconnects for as long as it takes, so a Redis outage only
 * delays the answer; a job that vanished throws JobVanishedError with the run it had opened.
 */
export async function waitForJob<T>(connection: Redis, queue: Queue, job: Job, options: WaitOptions = {}): Promise<T> {
  const own = connection.duplicate({
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  });
  // An outage is told by whoever watches the connection (the CLI's watchRedis), never printed here.
  own.on('error', () => {});
  const reader = new Queue(queue.name, { connection: own, prefix: queue.opts.prefix });
  reader.on('error', () => {});
  const jobId = `${job.id}`;
  let runId = runIdOf(job.data);
  try {
    for (;;) {
      let current: Job | undefined;
      let state: string | undefined;
      try {
        current = await Job.fromId(reader, jobId);
        state = current ? await current.getState() : undefined;
      } catch {
        if (options.signal?.aborted) throw options.signal.reason;
        // Redis unreachable: the connection comes back by itself, the state is read again then.
        await sleepOrThrow(options.intervalMs ?? 250, options.signal);
        continue;
      }
      if (!current) throw new JobVanishedError(jobId, runId);
      runId = runIdOf(current.data) ?? runId;
      if (state === 'completed' || state === 'failed') {
        // The job may have ended between reading it and reading its state: read its outcome again.
        const ended = (await Job.fromId(reader, jobId)) ?? current;
        if (state === 'completed') return ended.returnvalue as T;
        throw new Error(ended.failedReason || `Job ${jobId} failed.`);
      }
      await sleepOrThrow(options.intervalMs ?? 250, options.signal);
    }
  } finally {
    await reader.close().catch(() => {});
    own.disconnect();
  }
}

function runIdOf(data: unknown): number | undefined {
  const runId = (data as { runId?: unknown } | null)?.runId;
  return typeof runId === 'number' ? runId : undefined;
}

/** A distributed run ends in its finish job; its row says when. Polled: the run spans many jobs.
 * A lost database connection is waited out (told once through `onDatabaseState`). */
export async function waitForRunEnd(
  db: Db,
  runId: number,
  options: { intervalMs?: number; signal?: AbortSignal; onDatabaseState?(reachable: boolean, error?: unknown): void } = {},
): Promise<SyncRun> {
  let reachable = true;
  for (;;) {
    let run: SyncRun | undefined;
    try {
      run = await getRun(db, runId);
    } catch (error) {
      if (!isConnectionLoss(error)) throw error;
      if (reachable) options.onDatabaseState?.(false, error);
      reachable = false;
      await sleepOrThrow(Math.max(1_000, options.intervalMs ?? 500), options.signal);
      continue;
    }
    if (!reachable) options.onDatabaseState?.(true);
    reachable = true;
    if (!run) throw new Error(`Run ${runId} does not exist.`);
    if (run.status !== 'running') return run;
    await sleepOrThrow(options.intervalMs ?? 500, options.signal);
  }
}
