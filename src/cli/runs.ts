// `runs`: the latest runs with their counts (live for a running one), then the queued and running jobs.
// Only the database client and the queue: no HTTP client, no pipeline, so it starts fast. Touches Postgres and Redis.
import type { Config } from '../config.ts';
import { openDb } from '../db/client.ts';
import { redactUrl } from '../db/migrate.ts';
import { failStaleRuns, listRuns } from '../db/runs.ts';
import { withLiveCounts } from '../status/runs.ts';
import { formatQueue, formatRuns } from './format.ts';
import { queueOf } from './queue-handle.ts';
import { runsJson } from './runs-json.ts';

export async function runsCommand(config: Config, opts: { limit: number; json?: boolean }): Promise<void> {
  const database = openDb(config.DATABASE_URL, { max: 2, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS });
  try {
    await failStaleRuns(database.db, config.RUN_STALE_AFTER_MS);
    // A queued run's row holds its counts only at its end: a running one shows them live from its changes.
    const runs = await withLiveCounts(database.sql, await listRuns(database.db, opts.limit));
    console.log(opts.json ? runsJson(runs) : formatRuns(runs));
  } finally {
    await database.close();
  }
  if (!opts.json) console.log(`\n${await queueSummary(config)}`);
}

/** Queued and running jobs; the runs table alone says nothing of work not started yet. */
async function queueSummary(config: Config): Promise<string> {
  let queue: Awaited<ReturnType<typeof queueOf>>;
  try {
    queue = await queueOf(config);
  } catch (error) {
    return `Queue ${config.QUEUE_NAME}: ${error instanceof Error ? error.message : String(error)} Queued work unknown.`;
  }
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 3_000).unref());
    const q = queue.mirror.queue;
    const [counts, jobs] = await Promise.race([
      Promise.all([q.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'failed'), q.getJobs(['active', 'waiting', 'delayed'], 0, 19)]),
      timeout,
    ]);
    return formatQueue(config.QUEUE_NAME, counts, jobs);
  } catch {
    return `Queue ${config.QUEUE_NAME}: Redis at ${redactUrl(config.REDIS_URL)} did not answer in time; queued work unknown.`;
  } finally {
    await queue.close();
  }
}
