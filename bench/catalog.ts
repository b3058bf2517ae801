// The full-size catalog the sync scenarios share: one fake, the raw floor, one full sync without and one
// with the fake's admin key, each measured once when first needed, and the 1% churns. Touches Postgres, HTTP, child processes.
import { FAKE_ADMIN_KEY } from '../src/demo/fake.ts';
import type { BenchArgs } from './args.ts';
import { createBenchDatabase, type BenchDatabase } from './databases.ts';
import { startFakeProcess, type FakeProcess } from './fake-process.ts';
import { measureFloor, type FloorResult } from './floor.ts';
import { settingsOf, timedSync, UNBOUNDED_RPS, type MirrorSettings } from './mirror.ts';
import type { MutationSummary } from './mutate.ts';
import { say } from './report.ts';

/** Without a key (users by reference and rotation) or with the fake's admin key (the users listing). */
export type KeyMode = 'anonymous' | 'admin';

export interface SyncedMirror {
  db: BenchDatabase;
  full: TimedSyncResult;
  /** Requests and bytes the fake served for the full sync. */
  requests: number;
  bytes: number;
  /** How many churns the catalog had gone through when this mirror was synced. */
  churnsSeen: number;
}

type TimedSyncResult = Awaited<ReturnType<typeof timedSync>>;

export interface CatalogState {
  args: BenchArgs;
  settings: MirrorSettings;
  fake: FakeProcess;
  floor?: FloorResult;
  /** The databases of the first full syncs, which re-sync, incremental and asof go on with. */
  synced: Partial<Record<KeyMode, SyncedMirror>>;
  /** The 1% churns applied to the fake so far, in order. */
  churns: MutationSummary[];
}

export function catalogSettings(args: BenchArgs): MirrorSettings {
  // usersPerRun unset: an incremental run refreshes the mirror's default share of the known users.
  return { pageSize: args.pageSize, concurrency: args.concurrency, requestsPerSecond: UNBOUNDED_RPS };
}

export const settingsFor = (state: CatalogState, mode: KeyMode): MirrorSettings =>
  mode === 'admin' ? { ...state.settings, apiKey: FAKE_ADMIN_KEY } : state.settings;

export async function startCatalog(args: BenchArgs): Promise<CatalogState> {
  say(`starting the fake API at scale ${args.scale} (seed ${args.seed})`);
  const fake = await startFakeProcess(args.scale, args.seed);
  say(`fake API ${fake.url} (pid ${fake.pid}): ${JSON.stringify(fake.counts)}`);
  return { args, settings: catalogSettings(args), fake, synced: {}, churns: [] };
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

/** The first full sync into a fresh database, run once per key mode. */
export async function ensureFullSync(state: CatalogState, mode: KeyMode = 'anonymous'): Promise<SyncedMirror> {
  const done = state.synced[mode];
  if (done) return done;
  const db = await createBenchDatabase(mode === 'admin' ? 'mirror_admin' : 'mirror');
  await state.fake.resetStats();
  const label = mode === 'admin' ? 'full sync (admin key)' : 'full sync';
  say(label);
  const full = await timedSync(db.url, state.fake.url, settingsFor(state, mode), { mode: 'full' }, label, { fake: [state.fake.pid] });
  const { requests, bytes } = await state.fake.stats();
  say(`${label}: ${full.outcome.status} in ${full.seconds.toFixed(1)} s, ${requests} requests, ${(bytes / 1e6).toFixed(1)} MB`);
  const synced: SyncedMirror = { db, full, requests, bytes, churnsSeen: state.churns.length };
  state.synced[mode] = synced;
  return synced;
}

/** The churns the fake went through since `mirror` was synced, one new 1% churn when there was none. */
export async function churnSince(state: CatalogState, mirror: SyncedMirror): Promise<MutationSummary[]> {
  if (state.churns.length === mirror.churnsSeen) {
    const summary = await state.fake.mutate(0.01, state.args.seed + state.churns.length);
    say(`churn: mutated ${JSON.stringify(summary)}`);
    state.churns.push(summary);
  }
  const since = state.churns.slice(mirror.churnsSeen);
  mirror.churnsSeen = state.churns.length;
  return since;
}

export const lineBase = (state: CatalogState, scenario: string, mode: KeyMode = 'anonymous') => ({
  scenario,
  scale: state.args.scale,
  ...settingsOf(settingsFor(state, mode)),
  fake_api: 'child process',
});
