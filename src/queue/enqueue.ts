// Puts work on the queue and, for --wait, follows it to its end. Touches Redis and Postgres.
import { QueueEvents, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.ts';
import { sleepOrThrow } from '../api/sleep.ts';
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

/** Waits for a job's end with QueueEvents; returns its return value or throws its failure. */
export async function waitForJob<T>(connection: Redis, queue: Queue, job: Job): Promise<T> {
  // QueueEvents blocks on its connection; BullMQ does not close a connection it was given.
  const blocking = connection.duplicate({ maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(times * 200, 2_000) });
  const events = new QueueEvents(queue.name, { connection: blocking });
  try {
    await events.waitUntilReady();
    return (await job.waitUntilFinished(events)) as T;
  } finally {
    await events.close();
    await blocking.quit().catch(() => {});
  }
}

/** A distributed run ends in its finish job; its row says when. Polled: the run spans many jobs. */
export async function waitForRunEnd(db: Db, runId: number, options: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<SyncRun> {
  for (;;) {
    const run = await getRun(db, runId);
    if (!run) throw new Error(`Run ${runId} does not exist.`);
    if (run.status !== 'running') return run;
    await sleepOrThrow(options.intervalMs ?? 500, options.signal);
  }
}
