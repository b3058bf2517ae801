// The BullMQ queue and flow producer of the mirror, with bounded job retention. Touches Redis.
import { FlowProducer, Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';

/** Retries cover outages of minutes; finished jobs are kept long enough to inspect, not forever. */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3_600, count: 5_000 },
  removeOnFail: { age: 30 * 24 * 3_600, count: 5_000 },
};

export interface MirrorQueue {
  queue: Queue;
  flows: FlowProducer;
  close(): Promise<void>;
}

export function openQueue(connection: Redis, name: string): MirrorQueue {
  const queue = new Queue(name, { connection, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const flows = new FlowProducer({ connection });
  return {
    queue,
    flows,
    async close() {
      await Promise.allSettled([queue.close(), flows.close()]);
    },
  };
}
