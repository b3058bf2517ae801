// The command line as ops run it: `node --import tsx src/cli.ts ...` in a subprocess, against the fake
// data.gouv.fr and a database that `migrate` creates. Touches Postgres, HTTP and child processes.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const API_KEY = `sekret-${randomBytes(8).toString('hex')}`;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with only `env` (plus PATH/HOME) in its environment, so the test process's own settings never leak in. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  const base = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bin/mirror.ts', ...args],
      { cwd: ROOT, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The lines of stderr a person reads. */
const messageLines = (stderr: string) => stderr.split('\n').filter((l) => l.trim() !== '');
const STACK_FRAME = /^\s+at \S/m;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const serverUrl = inject('pgServerUrl');
const dbName = `dgm_test_cli${randomBytes(3).toString('hex')}_${inject('pgTemplateDb').split('_').pop()}_db`;
const dbUrl = Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString();
const deadDbUrl = 'postgres://postgres@127.0.0.1:1/nowhere';

describe('command line', () => {
  let fake: FakeDatagouv;
  let sql: postgres.Sql;
  let env: Record<string, string>;
  let fullRunId = 0;

  beforeAll(async () => {
    fake = await startFakeDatagouv({ seed: 3, counts: { datasets: 30, organizations: 4, reuses: 6, users: 20 } });
    sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    env = {
      DATABASE_URL: dbUrl,
      DATAGOUV_BASE_URL: fake.url,
      DATAGOUV_API_KEY: API_KEY,
      DATAGOUV_REQUESTS_PER_SECOND: '100',
    };
  });
  afterAll(async () => {
    await sql?.end();
    await fake?.close();
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  });

  const runRow = async (id: number) => (await sql`select * from sync_runs where id = ${id}`)[0];

  it('migrate creates the missing database, and a second migrate succeeds and changes nothing', async () => {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    const exists = async () => (await admin`select 1 from pg_database where datname = ${dbName}`).length === 1;
    try {
      expect(await exists()).toBe(false);
      const first = await cli(['migrate'], env);
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(first.stdout).toMatch(/^Created and migrated postgres:\/\/.*\/dgm_test_cli/);
      expect(await exists()).toBe(true);
      const applied = async () => (await sql`select count(*)::int as n from drizzle.__drizzle_migrations`)[0]!.n as number;
      const before = await applied();
      expect(before).toBeGreaterThan(0);

      const second = await cli(['migrate'], env);
      expect(second).toMatchObject({ code: 0, stderr: '' });
      expect(second.stdout).toMatch(/^Migrated postgres:/);
      expect(await applied()).toBe(before);
    } finally {
      await admin.end();
    }
  });

  it('sync --mode full exits 0, prints a summary naming the run and its counts, and mirrors the catalog', async () => {
    const { code, stdout, stderr } = await cli(['sync', '--mode', 'full'], env);
    expect({ code, stderr: messageLines(stderr).filter((l) => !l.startsWith('{')) }).toEqual({ code: 0, stderr: [] });
    const head = stdout.match(/^Run (\d+) \(full\) succeeded in [\d.]+ s: (\d+) pages, (\d+) requests, \d+ retries\.$/m);
    expect(head, stdout).not.toBeNull();
    fullRunId = Number(head![1]);
    const datasets = fake.catalog.visible('datasets');
    expect(stdout).toMatch(new RegExp(`^dataset\\s+${datasets.length}\\s+${datasets.length}\\s+0\\s`, 'm'));

    expect(await runRow(fullRunId)).toMatchObject({ status: 'succeeded', mode: 'full', pages: Number(head![2]), requests: Number(head![3]) });
    const stored = await sql`select id from datasets where deleted_at is null order by id`;
    expect(stored.map((r) => r.id)).toEqual([...datasets].sort());
    const orgs = await sql`select id from organizations where deleted_at is null order by id`;
    expect(orgs.map((r) => r.id)).toEqual([...fake.catalog.visible('organizations')].sort());
    expect(stdout + stderr).not.toContain(API_KEY);
  });

  it('runs --limit N lists the latest runs, newest first, the full sync among them', async () => {
    const { code, stdout } = await cli(['runs', '--limit', '5'], env);
    expect(code).toBe(0);
    const [runsTable, queueBlock] = stdout.trimEnd().split('\n\n');
    expect(queueBlock).toMatch(/^Queue datagouv-mirror: \d+ waiting, \d+ active/);
    const [header, ...rows] = runsTable!.split('\n');
    expect(header).toMatch(/^id\s+mode\s+scope\s+status/);
    const total = (await sql`select count(*)::int as n from sync_runs`)[0]!.n as number;
    expect(rows).toHaveLength(Math.min(5, total));
    expect(rows.find((r) => r.startsWith(`${fullRunId} `))).toMatch(new RegExp(`^${fullRunId}\\s+full\\s+succeeded\\s`));

    const newest = await cli(['runs', '--limit', '1'], env);
    expect(newest.stdout.split('\n\n')[0]!.trimEnd().split('\n')).toHaveLength(2);
  });

  it('lets command-line flags override the environment', async () => {
    const badEnv = { ...env, DATABASE_URL: deadDbUrl, DATAGOUV_BASE_URL: `http://127.0.0.1:${await closedPort()}`, LOG_LEVEL: 'loud' };
    fake.resetStats();
    const { code, stdout, stderr } = await cli(
      ['--database-url', dbUrl, '--base-url', fake.url, '--log-level', 'silent', 'sync', '--kinds', 'datasets'],
      badEnv,
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const runId = Number(stdout.match(/^Run (\d+) \(incremental\) succeeded/m)?.[1]);
    expect(await runRow(runId)).toMatchObject({ status: 'succeeded', mode: 'incremental' });
    expect(fake.stats.requests).toBeGreaterThan(0);
  });

  const badInputs: Array<[what: string, args: string[], env: Record<string, string>, message: RegExp]> = [
    ['an unknown kind', ['sync', '--kinds', 'foo'], {}, /--kinds.*"foo"/],
    ['an unknown mode', ['sync', '--mode', 'sideways'], {}, /sideways.*full, incremental/],
    ['a zero limit', ['runs', '--limit', '0'], {}, /--limit.*"0"/],
    ['an invalid LOG_LEVEL', ['sync'], { LOG_LEVEL: 'loud' }, /LOG_LEVEL.*"loud"/],
  ];
  it.concurrent.for(badInputs)('rejects %s with one sentence on stderr, a non-zero exit and no run', async ([, args, extra, message], { expect }) => {
    const runsBefore = (await sql`select count(*)::int as n from sync_runs`)[0]!.n as number;
    const { code, stdout, stderr } = await cli(args, { ...env, ...extra });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stdout).toBe('');
    expect(messageLines(stderr)).toEqual([expect.stringMatching(message)]);
    expect(stderr).not.toMatch(STACK_FRAME);
    expect((await sql`select count(*)::int as n from sync_runs`)[0]!.n).toBe(runsBefore);
  });

  it('migrate reports an unreachable database in one sentence that names it', async () => {
    const { code, stdout, stderr } = await cli(['migrate'], { ...env, DATABASE_URL: deadDbUrl });
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(messageLines(stderr)).toEqual([expect.stringMatching(/^Cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere .*ECONNREFUSED/)]);
  });

  // Known bug (see report): drizzle wraps the connection error as "Failed query: <sql>\nparams: ..." and the CLI
  // prints that message as is. Turn into `it` once the CLI reports the cause.
  it('runs and sync report an unreachable database in one sentence that names it', async () => {
    for (const args of [['runs'], ['sync', '--mode', 'full']]) {
      const { code, stderr } = await cli(args, { ...env, DATABASE_URL: deadDbUrl });
      expect(code).not.toBe(0);
      expect(messageLines(stderr)).toEqual([expect.stringMatching(/PostgreSQL.*127\.0\.0\.1:1.*ECONNREFUSED/)]);
    }
  });

  it('fails a sync whose API refuses connections: non-zero exit, one sentence, and the run failed in sync_runs', async () => {
    const { code, stdout, stderr } = await cli(['sync', '--mode', 'full'], { ...env, DATAGOUV_BASE_URL: `http://127.0.0.1:${await closedPort()}` });
    expect(code).not.toBe(0);
    const lastLine = stderr.trimEnd().split('\n').at(-1)!;
    const failed = lastLine.match(/^Run (\d+) failed: (.*refused connections.*)$/);
    expect(failed, stderr).not.toBeNull();
    expect(failed![2]).toMatch(/^[^\n]+\.$/);
    expect(stdout).toMatch(new RegExp(`^Run ${failed![1]} \\(full\\) failed in`, 'm'));
    const run = await runRow(Number(failed![1]));
    expect(run).toMatchObject({ status: 'failed', mode: 'full', error: failed![2] });
    expect(run!.finished_at).not.toBeNull();
    expect(stdout + stderr).not.toContain(API_KEY);
  });

  it('never prints nor stores the API key, even at LOG_LEVEL=debug with retries logged', async () => {
    await fake.setFaults({ match: /\/api\/1\/organizations\//, failTimes: 1, errorStatuses: [503] });
    fake.resetStats();
    try {
      const { code, stdout, stderr } = await cli(['sync', '--mode', 'full', '--kinds', 'organizations,users'], { ...env, LOG_LEVEL: 'debug' });
      expect(code, stderr).toBe(0);
      // Debug output was on and the retry was logged; the key was sent on every request.
      expect(stderr).toMatch(/"level":20,.*retrying data\.gouv\.fr request/);
      expect(fake.stats.log.length).toBeGreaterThan(0);
      expect(fake.stats.log.every((e) => e.headers['has-api-key'])).toBe(true);
      expect(stdout + stderr).not.toContain(API_KEY);
    } finally {
      await fake.clearFaults();
    }
    const stored = await sql`select
      (select count(*) from sync_runs where sync_runs::text like ${`%${API_KEY}%`})::int +
      (select count(*) from rejected_records where rejected_records::text like ${`%${API_KEY}%`})::int as n`;
    expect(stored[0]!.n).toBe(0);
  });
});
