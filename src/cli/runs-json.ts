// `runs --json`: the runs as one JSON array, keys as the `sync_runs` columns, times in ISO 8601. Pure.
import type { SyncRun } from '../db/runs.ts';

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const TIMES = new Set(['startedAt', 'finishedAt', 'heartbeatAt']);

export function runsJson(runs: SyncRun[]): string {
  const rows = runs.map((run) =>
    Object.fromEntries(
      Object.entries(run).map(([key, value]) => [snake(key), TIMES.has(key) && typeof value === 'string' ? new Date(value).toISOString() : value]),
    ),
  );
  return JSON.stringify(rows, null, 2);
}
