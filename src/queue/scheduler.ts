// The nightly job scheduler: installed idempotently (one scheduler whatever the number of calls). Touches Redis.
import type { Queue } from 'bullmq';
import { JOB_NAMES } from './jobs.ts';

export const NIGHTLY_SCHEDULER_ID = 'nightly-sync';

export async function installNightlySchedule(queue: Queue, options: { cron: string; tz: string }): Promise<void> {
  await queue.upsertJobScheduler(
    NIGHTLY_SCHEDULER_ID,
    { pattern: options.cron, tz: options.tz },
    { name: JOB_NAMES.sync, data: { trigger: 'schedule' } },
  );
}
