// Reads what a stage's child jobs returned and which failed for good. Touches Redis.
import type { Job } from 'bullmq';
import type { RunProgress } from '../src/db/runs.ts';

export interface ChildResult {
  kind?: string;
  ids?: string[];
  failedPages?: Array<{ page: number; error: string }>;
  total?: number;
  pages?: number;
  snapshot?: RunProgress;
  skipped?: boolean;
}

export async function readChildren(job: Job): Promise<{ results: ChildResult[]; failures: string[] }> {
  const values = await job.getChildrenValues<ChildResult>();
  const ignored = await job.getIgnoredChildrenFailures();
  const failures = Object.entries(ignored).map(([key, reason]) => `${key.split(':').pop()}: ${reason}`);
  return { results: Object.values(values), failures };
}

export function describeFailures(failures: string[]): string[] {
  if (failures.length === 0) return [];
  return [`${failures.length} job(s) of the run failed for good (${failures[0]}${failures.length > 1 ? ', …' : ''})`];
}
