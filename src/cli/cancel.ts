// The `cancel` command (a running run ended as failed, in-process or queued), and the sentence of a
// sync refused because another run is in progress, which points to it. Touches Postgres.
import type { Config } from '../config.ts';
import { openDb } from '../db/client.ts';
import { cancelRun, getRun, listRunningRuns, type SyncRun } from '../db/runs.ts';
import type { Db } from '../db/client.ts';
import { CliError } from './errors.ts';

export const CANCEL_REASON = 'cancelled from the command line';

const isCatalogRun = (run: SyncRun) => run.mode === 'full' || run.mode === 'incremental';
const label = (run: SyncRun) => `run ${run.id} (${run.mode}${run.scope ? ` ${run.scope}` : ''})`;

/** "4 s", "3 min", "2 h": how old a heartbeat is. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7_200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3_600)} h`;
}

/** Ends run `runId`, or without it the one running full or incremental run; prints what it did. */
export async function cancelCommand(config: Config, runId?: number): Promise<void> {
  const database = openDb(config.DATABASE_URL, { max: 1 });
  try {
    const target = runId === undefined ? await pickRunningCatalogRun(database.db) : await runningRun(database.db, runId);
    if (!target) return;
    const cancelled = await cancelRun(database.db, target.id, CANCEL_REASON);
    if (!cancelled) throw new CliError(`Run ${target.id} ended meanwhile: nothing to cancel.`);
    const who = target.jobId
      ? 'workers skip the jobs it has left'
      : 'the process running it stops at its next heartbeat, within seconds';
    console.log(`Cancelled ${label(target)}: marked failed ("${CANCEL_REASON}"), and ${who}.`);
  } finally {
    await database.close();
  }
}

async function runningRun(db: Db, runId: number): Promise<SyncRun> {
  const run = await getRun(db, runId);
  if (!run) throw new CliError(`There is no run ${runId} in sync_runs: \`npm run mirror -- runs\` lists them.`);
  if (run.status !== 'running') throw new CliError(`Run ${runId} is not running (it ${run.status}): nothing to cancel.`);
  return run;
}

/** The one running full or incremental run; says so and returns nothing when there is none. */
async function pickRunningCatalogRun(db: Db): Promise<SyncRun | undefined> {
  const running = await listRunningRuns(db);
  const catalog = running.filter(isCatalogRun);
  if (catalog.length === 1) return catalog[0];
  if (catalog.length > 1) {
    throw new CliError(`Several full or incremental runs are running (${catalog.map(label).join(', ')}): pass the id of the one to cancel.`);
  }
  const others = running.length ? `; running: ${running.map(label).join(', ')} (\`npm run mirror -- cancel ID\` ends one)` : '';
  console.log(`No full or incremental run is running, nothing cancelled${others}.`);
  return undefined;
}

/** The sentence of a sync refused because run `runId` is in progress: which run, how alive, what to do. */
export async function describeBlockingRun(db: Db, runId: number): Promise<string> {
  const run = (await listRunningRuns(db)).find((r) => r.id === runId);
  if (!run) return `Run ${runId} was in progress a moment ago: try the sync again.`;
  return (
    `Run ${run.id} (${run.mode}) is in progress, last heartbeat ${formatAge(run.heartbeatAgeSeconds)} ago: ` +
    `a full or incremental sync does not start beside it; wait for its end, or stop it with \`npm run mirror -- cancel ${run.id}\`.`
  );
}
