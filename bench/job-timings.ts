// Where a queue-mode run's time went (coordinator, page jobs, tail), from BullMQ's own job timestamps. Touches Redis (reads only).
import type { Queue } from 'bullmq';
import { JOB_NAMES } from '../src/queue/jobs.ts';

export interface JobTimings {
  page_jobs: number;
  /** Mean time a page job spent in a worker (fetch with latency + store + job bookkeeping). */
  page_job_ms_mean: number | null;
  page_job_ms_p90: number | null;
  /** From the sync job's creation to the first page job's start: the coordinator's serial part. */
  coordinator_s: number | null;
  /** Wall time from the first page job's start to the last one's end. */
  pages_phase_s: number | null;
  /** From the last page job's end to the finish job's end: collect, sweep, users, finish. */
  tail_s: number | null;
}

const quantile = (sorted: number[], q: number): number | null => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null);

export async function jobTimings(queue: Queue): Promise<JobTimings> {
  const jobs = await queue.getJobs(['completed'], 0, -1);
  const pages = jobs.filter((j) => j.name === JOB_NAMES.pages && j.processedOn && j.finishedOn);
  const sync = jobs.find((j) => j.name === JOB_NAMES.sync);
  const finish = jobs.find((j) => j.name === JOB_NAMES.finish);
  const durations = pages.map((j) => j.finishedOn! - j.processedOn!).sort((a, b) => a - b);
  const firstStart = Math.min(...pages.map((j) => j.processedOn!));
  const lastEnd = Math.max(...pages.map((j) => j.finishedOn!));
  const has = pages.length > 0;
  return {
    page_jobs: pages.length,
    page_job_ms_mean: has ? durations.reduce((a, b) => a + b, 0) / durations.length : null,
    page_job_ms_p90: quantile(durations, 0.9),
    coordinator_s: has && sync ? (firstStart - sync.timestamp) / 1000 : null,
    pages_phase_s: has ? (lastEnd - firstStart) / 1000 : null,
    tail_s: has && finish?.finishedOn ? (finish.finishedOn - lastEnd) / 1000 : null,
  };
}
