// The BullMQ queue and flow producer of the mirror, with the retry and retention every job gets.
// Touches Redis.
import { FlowProducer, Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';

export interface JobRetry {
  /** Attempts of every job, the first included. */
  attempts: number;
  /** First backoff delay; it doubles at each attempt. */
  backoffMs: number;
}

/** 10 attempts from 5 s: about 42 minutes of retries in all, so outages of minutes are ridden out. */
export const DEFAULT_JOB_RETRY: JobRetry = { attempts: 10, backoffMs: 5_000 };

/** Retries cover outages of minutes; finished jobs are kept long enough to inspect, not forever. */
export function jobOptions(retry: JobRetry = DEFAULT_JOB_RETRY): DefaultJobOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: { age: 7 * 24 * 3_600, count: 5_000 },
    removeOnFail: { age: 30 * 24 * 3_600, count: 5_000 },
  };
}

export interface MirrorQueue {
  queue: Queue;
  flows: FlowProducer;
  /** What every job added gets: the queue's defaults do not apply to jobs added through flows. */
  jobOptions: DefaultJobOptions;
  close(): Promise<void>;
}

export function openQueue(connection: Redis, name: string, retry: JobRetry = DEFAULT_JOB_RETRY): MirrorQueue {
  const defaults = jobOptions(retry);
  const queue = new Queue(name, { connection, defaultJobOptions: defaults });
  const flows = new FlowProducer({ connection });
  // Without listeners BullMQ prints every connection error of an outage with its stack; the
  // connection itself reports outages, and a failed call rejects its own promise.
  queue.on('error', () => {});
  flows.on('error', () => {});
  return {
    queue,
    flows,
    jobOptions: defaults,
    async close() {
      await Promise.allSettled([queue.close(), flows.close()]);
    },
  };
}
