// Full sync vs the raw floor, re-sync of an unchanged source (time, entity-row updates), incremental after 1% churn without and
// with the admin key (time, bytes and requests against that mode's full sync; mutates the fake: last). Touches Postgres, HTTP.
import { outsideLoadCores } from './cpu.ts';
import { churnSince, ensureFloor, ensureFullSync, lineBase, settingsFor, type CatalogState, type KeyMode } from './catalog.ts';
import { runError, timedSync } from './mirror.ts';
import { say, type Line } from './report.ts';
import { changesOfRun, diffWrites, entityRowWrites } from './table-stats.ts';

export async function fullLine(state: CatalogState): Promise<Line> {
  const floor = await ensureFloor(state);
  const { full, requests, bytes } = await ensureFullSync(state);
  const ratio = full.seconds / floor.seconds;
  const counts = full.outcome.counts;
  return {
    ...lineBase(state, 'full'),
    seconds: full.seconds,
    baseline_seconds: floor.seconds,
    ratio,
    target: '<= 1.5',
    ok: ratio <= 1.5 && full.outcome.status === 'succeeded',
    error: runError(full.outcome),
    requests,
    bytes,
    baseline_requests: floor.requests,
    baseline_bytes: floor.bytes,
    entities_seen: counts.seen,
    entities_inserted: counts.inserted,
    cpu_seconds_by_process: full.cpuByProcess,
    baseline_cpu_seconds_by_process: floor.cpuByProcess,
    outside_load_cores: outsideLoadCores({ cpu: full.cpuByProcess, seconds: full.seconds }, { cpu: floor.cpuByProcess, seconds: floor.seconds }),
    machine_cpu_busy: full.machineCpuBusy,
    baseline_machine_cpu_busy: floor.machineCpuBusy,
    listings_seconds: full.listingsSeconds,
    baseline_listings_seconds: floor.listingsSeconds,
    listings_ratio: full.listingsSeconds / floor.listingsSeconds,
    baseline_users_by_id: floor.users,
    baseline: 'same listing pages + the users they reference fetched by id, same client/page size/concurrency, COPY as raw jsonb into one unlogged table; listings_* compare the phases before users by id',
  };
}

export async function resyncLine(state: CatalogState): Promise<Line> {
  const { fake, settings } = state;
  const floor = await ensureFloor(state);
  const { db } = await ensureFullSync(state);
  const before = await entityRowWrites(db.url);
  await fake.resetStats();
  say('re-sync (full, unchanged source)');
  const re = await timedSync(db.url, fake.url, settings, { mode: 'full' }, 're-sync', { fake: [fake.pid] });
  const writes = diffWrites(await entityRowWrites(db.url), before);
  const changes = await changesOfRun(db.url, re.outcome.runId);
  const ratio = re.seconds / floor.seconds;
  return {
    ...lineBase(state, 'resync'),
    seconds: re.seconds,
    baseline_seconds: floor.seconds,
    ratio,
    target: '<= 0.8 and 0 entity-row updates',
    ok: ratio <= 0.8 && writes.updated === 0 && changes === 0 && re.outcome.status === 'succeeded',
    error: runError(re.outcome),
    entity_row_updates: writes.updated,
    entity_row_hot_updates: writes.hotUpdated,
    entity_row_inserts: writes.inserted,
    changes_rows: changes,
    // The counters do move: the first sync's inserts, read the same way.
    first_sync_entity_row_inserts: before.inserted,
    ...(({ requests, bytes }) => ({ requests, bytes }))(await fake.stats()),
    cpu_seconds_by_process: re.cpuByProcess,
    baseline_cpu_seconds_by_process: floor.cpuByProcess,
    outside_load_cores: outsideLoadCores({ cpu: re.cpuByProcess, seconds: re.seconds }, { cpu: floor.cpuByProcess, seconds: floor.seconds }),
    machine_cpu_busy: re.machineCpuBusy,
    measured_by: 'pg_stat_user_tables n_tup_upd (HOT included) of organizations, datasets, resources, reuses, dataservices, users, read after the pool closed',
  };
}

/** Incremental after the 1% churn, against the full sync of the same key mode; `alsoSynced` are the
 * other modes to sync before the churn, so that one churn serves them all. */
export async function incrementalLine(state: CatalogState, mode: KeyMode = 'anonymous', alsoSynced: KeyMode[] = []): Promise<Line> {
  const { fake } = state;
  const settings = settingsFor(state, mode);
  const mirror = await ensureFullSync(state, mode);
  for (const other of alsoSynced) await ensureFullSync(state, other);
  const { db, full, requests: fullRequests, bytes: fullBytes } = mirror;
  const mutations = await churnSince(state, mirror);
  const before = await entityRowWrites(db.url);
  await fake.resetStats();
  const label = mode === 'admin' ? 'incremental (admin key)' : 'incremental';
  const inc = await timedSync(db.url, fake.url, settings, { mode: 'incremental' }, label, { fake: [fake.pid] });
  const { requests, bytes, byRoute } = await fake.stats();
  const writes = diffWrites(await entityRowWrites(db.url), before);
  const ratio = inc.seconds / full.seconds;
  const bytesRatio = bytes / fullBytes;
  const c = inc.outcome.counts;
  return {
    ...lineBase(state, mode === 'admin' ? 'incremental-admin' : 'incremental', mode),
    seconds: inc.seconds,
    baseline_seconds: full.seconds,
    ratio,
    target: '<= 0.1 of the full sync (time and bytes), requests <= the full sync',
    ok: ratio <= 0.1 && bytesRatio <= 0.1 && requests <= fullRequests && inc.outcome.status === 'succeeded',
    error: runError(inc.outcome),
    requests,
    baseline_requests: fullRequests,
    requests_ratio: requests / fullRequests,
    bytes,
    baseline_bytes: fullBytes,
    bytes_ratio: bytesRatio,
    requests_by_route: byRoute,
    mutations: mutations.length === 1 ? mutations[0] : mutations,
    run_counts: { inserted: c.inserted, updated: c.updated, deleted: c.deleted, restored: c.restored, unchanged: c.unchanged },
    // Proof the pg_stat measurement sees updates when rows do change.
    entity_row_updates: writes.updated,
    cpu_seconds_by_process: inc.cpuByProcess,
    baseline_cpu_seconds_by_process: full.cpuByProcess,
    outside_load_cores: outsideLoadCores({ cpu: inc.cpuByProcess, seconds: inc.seconds }, { cpu: full.cpuByProcess, seconds: full.seconds }),
  };
}
