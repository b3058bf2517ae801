// Reads what a stage's child jobs returned and which failed for good. Touches Redis.
import type { Job } from 'bullmq';
import type { RunProgress } from '../src/db/runs.ts';
import type { RunScope } from '../src/harvest/sync-context.ts';
import { describeFetchFailures } from '../src/harvest/fetch-and-store.ts';

export interface ChildResult {
  kind?: string;
  ids?: string[];
  failedPages?: Array<{ page: number; error: string }>;
  total?: number;
  pages?: number;
  snapshot?: RunProgress;
  skipped?: boolean;
  /** Items fetched by id that kept failing. */
  failed?: Array<{ id: string; error: string }>;
}

/** Reads the children of a stage job and adds their counts (and the stage's inherited ones) to `run`;
 * returns their results and the problems they leave the run with. */
export async function collectChildren(
  job: Job,
  run: RunScope,
  inherited: Record<string, unknown>,
): Promise<{ results: ChildResult[]; failures: string[]; problems: string[] }> {
  const values = await job.getChildrenValues<ChildResult>();
  const ignored = await job.getIgnoredChildrenFailures();
  const failures = Object.entries(ignored).map(([key, reason]) => `${key.split(':').pop()}: ${reason}`);
  const results = Object.values(values);
  run.tracker.merge(inherited as unknown as RunProgress);
  for (const result of results) if (result.snapshot) run.tracker.merge(result.snapshot);
  return { results, failures, problems: [...describeFailures(failures), ...describeItemFailures(results)] };
}

/** Items of the given results that could not be fetched, as the run's problem sentences. */
export function describeItemFailures(results: ChildResult[]): string[] {
  const byKind = new Map<string, Array<{ id: string; error: string }>>();
  for (const result of results) {
    if (result.failed?.length) byKind.set(result.kind ?? '?', [...(byKind.get(result.kind ?? '?') ?? []), ...result.failed]);
  }
  return [...byKind.entries()].flatMap(([kind, failed]) => describeFetchFailures(kind, failed));
}

export function describeFailures(failures: string[]): string[] {
  if (failures.length === 0) return [];
  return [`${failures.length} job(s) of the run failed for good (${failures[0]}${failures.length > 1 ? ', …' : ''})`];
}
