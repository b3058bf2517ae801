// What the status page shows, in one JSON document: runs, per-kind totals, changes per day, the latest
// changes with old → new values, and the queue. Touches Postgres and Redis.
import type { Queue } from 'bullmq';
import type postgres from 'postgres';
import { readQueueState, type QueueState } from '../../status/queue-state.ts';
import { recentChanges, type RecentChange } from '../../status/recent-changes.ts';
import { latestRuns, type RunRow } from '../../status/runs.ts';
import { changesPerDay, kindTotals, type DayCount, type KindTotal } from '../../status/totals.ts';

export interface DashboardStatus {
  generatedAt: string;
  database: string;
  runs: RunRow[];
  totals: KindTotal[];
  perDay: DayCount[];
  recent: RecentChange[];
  queue: QueueState | { name: string; reachable: false; error: string };
}

/** The latest updates, deletions and restores first (a full run's thousands of inserts would bury them), then inserts. */
async function latestEdits(sql: postgres.Sql, limit = 12): Promise<RecentChange[]> {
  // Updates of modification stamps alone say nothing to a person: left out here (they stay in `changes`).
  const edits = await recentChanges(sql, { limit, ops: ['update', 'delete', 'restore'], skipStampOnly: true });
  if (edits.length >= limit) return edits;
  return [...edits, ...(await recentChanges(sql, { limit: limit - edits.length, ops: ['insert'] }))];
}

export async function readStatus(sql: postgres.Sql, queue: Queue | undefined, database: string, queueError?: string): Promise<DashboardStatus> {
  const [runs, totals, perDay, recent, queueState] = await Promise.all([
    latestRuns(sql, 15),
    kindTotals(sql),
    changesPerDay(sql, 30),
    latestEdits(sql),
    queue ? readQueueState(queue) : Promise.resolve({ name: '', reachable: false as const, error: queueError ?? 'no queue' }),
  ]);
  return { generatedAt: new Date().toISOString(), database, runs, totals, perDay, recent, queue: queueState };
}
