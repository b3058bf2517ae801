// The full-size catalog the sync scenarios share: one fake, the raw floor and one full sync, each measured once when first needed. Touches Postgres, HTTP, child processes.
import type { BenchArgs } from './args.ts';
import { createBenchDatabase, type BenchDatabase } from './databases.ts';
import { startFakeProcess, type FakeProcess } from './fake-process.ts';
import { measureFloor, type FloorResult } from './floor.ts';
import { settingsOf, timedSync, UNBOUNDED_RPS, type MirrorSettings, type TimedSync } from './mirror.ts';
import { say } from './report.ts';

export interface CatalogState {
  args: BenchArgs;
  settings: MirrorSettings;
  fake: FakeProcess;
  floor?: FloorResult;
  /** The database of the first full sync, which re-sync and incremental go on with. */
  synced?: { db: BenchDatabase; full: TimedSync; requests: number };
}

export function catalogSettings(args: BenchArgs): MirrorSettings {
  // 500 users a night at scale 1 (the default): the same share of the catalog at the bench's scale.
  return { pageSize: args.pageSize, concurrency: args.concurrency, requestsPerSecond: UNBOUNDED_RPS, usersPerRun: Math.max(1, Math.round(500 * args.scale)) };
}

export async function startCatalog(args: BenchArgs): Promise<CatalogState> {
  say(`starting the fake API at scale ${args.scale} (seed ${args.seed})`);
  const fake = await startFakeProcess(args.scale, args.seed);
  say(`fake API ${fake.url} (pid ${fake.pid}): ${JSON.stringify(fake.counts)}`);
  return { args, settings: catalogSettings(args), fake };
}

/** The raw floor, measured once, in a database of its own dropped right after. */
export async function ensureFloor(state: CatalogState): Promise<FloorResult> {
  if (state.floor) return state.floor;
  const db = await createBenchDatabase('floor');
  try {
    say('raw floor: fetching the same pages and users, COPY into one unlogged table');
    state.floor = await measureFloor(db.url, state.fake.url, state.settings, { fake: [state.fake.pid] });
    say(`raw floor: ${state.floor.seconds.toFixed(1)} s, ${state.floor.requests} requests, ${state.floor.rows} rows`);
    return state.floor;
  } finally {
    await db.drop();
  }
}

/** The first full sync into a fresh database, run once. */
export async function ensureFullSync(state: CatalogState): Promise<NonNullable<CatalogState['synced']>> {
  if (state.synced) return state.synced;
  const db = await createBenchDatabase('mirror');
  await state.fake.resetStats();
  say('full sync');
  const full = await timedSync(db.url, state.fake.url, state.settings, { mode: 'full' }, 'full sync', { fake: [state.fake.pid] });
  const requests = (await state.fake.stats()).requests;
  say(`full sync: ${full.outcome.status} in ${full.seconds.toFixed(1)} s, ${requests} requests`);
  state.synced = { db, full, requests };
  return state.synced;
}

export const lineBase = (state: CatalogState, scenario: string) => ({
  scenario,
  scale: state.args.scale,
  ...settingsOf(state.settings),
  fake_api: 'child process',
});
