// In-process runs (`sync` without --queue, run as a subprocess) under faults: a PostgreSQL restart
// and crash during the run (an own throw-away cluster), SIGINT, SIGTERM, `cancel`, kill -9, and a
// short RUN_STALE_AFTER_MS. Each ends with the mirror of a clean run. Touches Postgres, HTTP and
// child processes.
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/api/http-client.ts';
import { createLocalBudget } from '../../src/api/request-budget.ts';
import { openDb } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { runSync, type SyncContext } from '../../src/harvest/run-sync.ts';
import { createLogger } from '../../src/logger.ts';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { cli, sentences, startCli, until, type Cli } from '../support/cli-process.ts';
import { mirrorState } from '../support/harness.ts';
import { startOwnPostgres, type OwnPostgres } from '../support/servers.ts';

const COUNTS = { datasets: 60, organizations: 6, reuses: 10, users: 30 };
const PAGE_SIZE = 5;

type Sql = postgres.Sql;

/** What must be identical to a clean run's: mirrorState (ids, hashes, tombstones, links, changes) and the raw JSON. */
async function snapshot(sql: Sql) {
  const raw: Record<string, string> = {};
  for (const table of ['organizations', 'datasets', 'resources', 'reuses', 'users']) {
    const [row] = await sql.unsafe<{ h: string }[]>(`select md5(coalesce(string_agg(id || ':' || raw::text, ',' order by id), '')) as h from ${table}`);
    raw[table] = row!.h;
  }
  return { state: await mirrorState({ database: { sql } as TestDatabase }), raw };
}

async function duplicateChanges(sql: Sql) {
  return sql`select entity_type, entity_id, op, changed_fields, count(*)::int as n from changes
    group by 1, 2, 3, 4, patch::text having count(*) > 1`;
}

let fake: FakeDatagouv;
let pg: OwnPostgres;
let http: HttpClient;
let clean: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  [fake, pg] = await Promise.all([startFakeDatagouv({ seed: 8, counts: COUNTS }), startOwnPostgres()]);
  http = createHttpClient({
    baseUrl: fake.url,
    minRetryDelayMs: 5,
    maxRetryDelayMs: 50,
    timeoutMs: 5_000,
    connections: 2,
    budget: createLocalBudget({ maxConcurrency: 2, requestsPerSecond: 1_000 }),
  });
  await runMigrations(pg.url('clean'));
  const database = openDb(pg.url('clean'), { max: 4 });
  try {
    const ctx: SyncContext = {
      sql: database.sql, db: database.db, http, logger: createLogger('silent'),
      hasApiKey: false, pageSize: PAGE_SIZE, concurrency: 2, usersPerRun: 0,
    };
    const outcome = await runSync(ctx, { mode: 'full' });
    expect(outcome).toMatchObject({ status: 'succeeded', error: undefined });
    clean = await snapshot(database.sql);
    expect(clean.state.datasets!.length).toBeGreaterThan(COUNTS.datasets / 2);
  } finally {
    await database.close();
  }
});

afterAll(async () => {
  await http?.close();
  await fake?.close();
  await pg?.destroy();
});

const LOST = 'lost the connection to PostgreSQL: retrying';

describe('an in-process sync when PostgreSQL goes away', () => {
  const faults: Array<[what: string, name: string, fault: (run: Cli) => Promise<void>]> = [
    ['a fast restart', 'restart', () => pg.restartFast()],
    [
      'a crash, then a start once the run has lost its connection',
      'crash',
      async (run) => {
        await pg.crash();
        await until(async () => (run.stderr().includes(LOST) ? true : undefined), 'the run to lose its connection');
        await pg.start();
      },
    ],
  ];

  it.for(faults)('reconnects and reruns its batches through %s, and ends with the mirror of a clean run', async ([, name, fault]) => {
    await runMigrations(pg.url(name));
    await fake.setFaults({ latencyMs: 80 });
    const env = {
      DATABASE_URL: pg.url(name),
      DATAGOUV_BASE_URL: fake.url,
      DATAGOUV_PAGE_SIZE: String(PAGE_SIZE),
      DATAGOUV_MAX_CONCURRENCY: '2',
      DATAGOUV_REQUESTS_PER_SECOND: '100',
      LOG_LEVEL: 'warn',
    };
    try {
      const run = startCli(['sync', '--mode', 'full'], env);
      // Polled on a pool of its own, closed before the fault: the test process keeps no connection to break.
      const probe = openDb(pg.url(name), { max: 1 });
      try {
        await until(async () => {
          if (run.child.exitCode !== null) throw new Error(`sync exited early: ${run.stderr()}`);
          return (await probe.sql`select 1 from changes limit 1`)[0];
        }, 'the run to store its first changes');
      } finally {
        await probe.close();
      }
      await fault(run);
      expect(await run.exited, run.stderr()).toBe(0);
      const runId = Number(run.stdout().match(/^Run (\d+) \(full\) succeeded in/m)?.[1]);
      expect(runId, run.stdout()).toBeGreaterThan(0);
      // The fault did hit the run's writes: they were rerun, not merely spaced around it.
      expect(run.stderr()).toContain(LOST);
      expect(sentences(run.stderr())).toEqual([]);
      const database = openDb(pg.url(name), { max: 2 });
      try {
        expect(await snapshot(database.sql)).toEqual(clean);
        expect(await duplicateChanges(database.sql)).toEqual([]);
        const [row] = await database.sql`select status, error from sync_runs where id = ${runId}`;
        expect(row).toMatchObject({ status: 'succeeded', error: null });
      } finally {
        await database.close();
      }
    } finally {
      await fake.clearFaults();
    }
  });
});

describe('a sync subprocess', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      DATABASE_URL: db.url,
      DATAGOUV_BASE_URL: fake.url,
      DATAGOUV_PAGE_SIZE: String(PAGE_SIZE),
      DATAGOUV_MAX_CONCURRENCY: '2',
      DATAGOUV_REQUESTS_PER_SECOND: '100',
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    await fake.clearFaults();
    await db?.drop();
  });

  const runRow = async (id: number) => (await db.sql`select * from sync_runs where id = ${id}`)[0]!;
  const changesOf = async (id: number, op: string) =>
    (await db.sql`select count(*)::int as n from changes where run_id = ${id} and op = ${op}`)[0]!.n as number;

  /** Starts `sync` and waits until it is mid-run: its row exists and the fake has answered it (with
   * `stored`, until the run has recorded changes too). Returns it with its run id. */
  async function syncMidRun(extra: Record<string, string> = {}, stored = false) {
    const [{ last }] = (await db.sql`select coalesce(max(id), 0)::int as last from sync_runs`) as unknown as [{ last: number }];
    const run = startCli(['sync', '--mode', 'full'], { ...env, ...extra });
    const alive = () => {
      if (run.child.exitCode !== null) throw new Error(`sync exited early: ${run.stderr()}`);
    };
    const runId = await until(async () => {
      alive();
      return (await db.sql`select id::int from sync_runs where id > ${last}`)[0]?.id as number | undefined;
    }, 'the run row');
    const answered = fake.stats.requests;
    await until(async () => (alive(), fake.stats.requests >= answered + 2 ? true : undefined), 'requests of the run');
    if (stored) {
      await until(async () => (alive(), (await db.sql`select 1 from changes where run_id = ${runId} limit 1`)[0]), 'changes of the run');
    }
    return { run, runId };
  }

  beforeAll(async () => fake.setFaults({ latencyMs: 250 }));

  it('after kill -9 the next sync is refused naming the run, and once stale the run is reaped with its counts and the mirror completed', async () => {
    const { run, runId } = await syncMidRun({}, true);
    run.child.kill('SIGKILL');
    await run.exited;
    const refused = await cli(['sync'], env);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(sentences(refused.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Run ${runId} \\(full\\) is in progress, last heartbeat \\d+ s ago: a full or incremental sync does not start beside it; ` +
            `wait for its end, or stop it with \`npm run mirror -- cancel ${runId}\`\\.$`,
        ),
      ),
    ]);
    const killed = await runRow(runId);
    expect(killed.status).toBe('running');
    // The last heartbeat's counts are behind what the run stored before it was killed.
    expect(killed.inserted).toBeLessThan(await changesOf(runId, 'insert'));

    await until(async () => ((await db.sql`select now() - heartbeat_at > interval '1.5 s' as stale from sync_runs where id = ${runId}`)[0]!.stale ? true : undefined), 'a stale heartbeat');
    await fake.clearFaults();
    const resumed = await cli(['sync'], { ...env, RUN_STALE_AFTER_MS: '1000' });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^Run \d+ \(full\) succeeded in/m);
    const reaped = await runRow(runId);
    expect(reaped).toMatchObject({ status: 'failed', inserted: await changesOf(runId, 'insert') });
    expect(reaped.error).toMatch(/^No heartbeat since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: the process running it stopped \(killed or crashed\)\.$/);
    expect(reaped.inserted).toBeGreaterThan(0);
    expect(await snapshot(db.sql)).toEqual(clean);
    expect(await duplicateChanges(db.sql)).toEqual([]);
    await fake.setFaults({ latencyMs: 250 });
  });

  it('SIGINT and SIGTERM end the run failed "interrupted (SIGINT)" within seconds, and the next sync starts at once', async () => {
    // Each sync after the first starts right after the previous one was interrupted: it is not refused.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGINT'] as const) {
      const { run, runId } = await syncMidRun();
      const sent = Date.now();
      run.child.kill(signal);
      const code = await run.exited;
      expect(Date.now() - sent).toBeLessThan(5_000);
      expect(code).toBe(1);
      expect(sentences(run.stderr())).toEqual([`Run ${runId} failed: interrupted (${signal}).`]);
      const row = await runRow(runId);
      expect(row).toMatchObject({ status: 'failed', error: `interrupted (${signal})`, finished_at: expect.anything() });
      expect(row.inserted).toBe(await changesOf(runId, 'insert'));
    }
  });

  it('cancel ends a live in-process run: the row is failed at once and the process stops with that reason', async () => {
    // A short stale delay makes the victim's heartbeat (which notices the cancel) come every second.
    const { run, runId } = await syncMidRun({ RUN_STALE_AFTER_MS: '3000' });
    const cancelled = await cli(['cancel'], env);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout.trim()).toBe(
      `Cancelled run ${runId} (full): marked failed ("cancelled from the command line"), and the process running it stops at its next heartbeat, within seconds.`,
    );
    expect(await runRow(runId)).toMatchObject({ status: 'failed', error: 'cancelled from the command line' });
    expect(await run.exited).toBe(1);
    expect(sentences(run.stderr())).toEqual([`Run ${runId} failed: cancelled from the command line.`]);
    expect(run.stdout()).toMatch(new RegExp(`^Run ${runId} \\(full\\) failed in`, 'm'));
    const again = await cli(['cancel'], env);
    expect(again).toMatchObject({ code: 0, stdout: 'No full or incremental run is running, nothing cancelled.\n' });
    const ended = await cli(['cancel', String(runId)], env);
    expect(ended.code).toBe(1);
    expect(sentences(ended.stderr)).toEqual([`Run ${runId} is not running (it failed): nothing to cancel.`]);
  });

  it('cancel RUN_ID ends a queued run: its row is failed and the sentence says its workers skip what it has left', async () => {
    const [queued] = await db.sql`insert into sync_runs (mode, kinds, job_id) values ('incremental', '{datasets}', 'sync-cancel-test') returning id::int`;
    const { code, stdout, stderr } = await cli(['cancel', String(queued!.id)], env);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.trim()).toBe(
      `Cancelled run ${queued!.id} (incremental): marked failed ("cancelled from the command line"), and workers skip the jobs it has left.`,
    );
    expect(await runRow(queued!.id as number)).toMatchObject({ status: 'failed', error: 'cancelled from the command line', finished_at: expect.anything() });
  });

  it('with RUN_STALE_AFTER_MS=5000, a run lasting longer than 5 s is never reaped by `runs` and exits 0 succeeded', async () => {
    await fake.setFaults({ latencyMs: 600 }); // long enough for a run past 6 s, listings walked side by side
    const staleEnv = { ...env, RUN_STALE_AFTER_MS: '5000' };
    const [{ last }] = (await db.sql`select coalesce(max(id), 0)::int as last from sync_runs`) as unknown as [{ last: number }];
    const run = startCli(['sync', '--mode', 'full'], staleEnv);
    const runId = await until(async () => (await db.sql`select id::int from sync_runs where id > ${last}`)[0]?.id as number | undefined, 'the run row');
    let age = 0;
    while (age < 6) {
      const listed = await cli(['runs', '--limit', '3'], staleEnv);
      expect(listed.code).toBe(0);
      const [row] = await db.sql`select status, extract(epoch from now() - started_at)::float8 as age from sync_runs where id = ${runId}`;
      if (run.child.exitCode !== null) break;
      expect(listed.stdout).toMatch(new RegExp(`^${runId}\\s+full\\s+running\\s`, 'm'));
      age = row!.age as number;
    }
    expect(age).toBeGreaterThanOrEqual(6);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(new RegExp(`^Run ${runId} \\(full\\) succeeded in`, 'm'));
    expect(await runRow(runId)).toMatchObject({ status: 'succeeded', error: null });
    expect((await db.sql`select count(*)::int as n from sync_runs where id > ${runId}`)[0]!.n).toBe(0);
    await fake.clearFaults();
  });
});
