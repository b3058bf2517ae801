// The command line that guides: --version, the global flags with their environment variables in every
// --help, flags that behave like their variables (stack traces at --log-level debug, errors that name the
// flag typed), schedule --list/--remove, --queue --wait that says when no worker consumes the queue and
// shows progress, runs with a running run's live counts and text aligned left, doctor, sql, db, and the
// fake's own CLI. The real CLI in subprocesses. Touches Postgres, Redis, HTTP and child processes.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { cli, startCli } from '../support/cli-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { obliterateQueue, spawnWorker, testConfig, uniqueQueueName } from '../support/queue.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const STACK_FRAME = /^\s+at \S/m;
const DEAD_DB = 'postgres://postgres@127.0.0.1:1/nowhere';

describe('a command line that guides', () => {
  let fake: FakeDatagouv;
  let database: TestDatabase;
  let env: Record<string, string>;
  let queueName: string;

  beforeAll(async () => {
    fake = await startFakeDatagouv({ seed: 4, counts: { datasets: 30, organizations: 4, reuses: 5, users: 15, dataservices: 2 } });
    database = await createTestDatabase();
    queueName = uniqueQueueName();
    env = {
      DATABASE_URL: database.url,
      DATAGOUV_BASE_URL: fake.url,
      DATAGOUV_API_KEY: 'fake-admin-key',
      DATAGOUV_REQUESTS_PER_SECOND: '100',
      REDIS_URL: inject('redisUrl'),
      QUEUE_NAME: queueName,
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    await fake?.close();
    await database?.drop();
    if (queueName) await obliterateQueue(queueName);
  });

  it('prints its version', async () => {
    const exit = await cli(['--version'], env);
    expect(exit).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('lists the global flags with their environment variables in the help of every command', async () => {
    for (const command of ['sync', 'dashboard']) {
      const { code, stdout } = await cli([command, '--help'], env);
      expect(code).toBe(0);
      const globals = stdout.slice(stdout.indexOf('Global Options:'));
      for (const [flag, variable] of [['--database-url', 'DATABASE_URL'], ['--data-dir', 'MIRROR_DATA_DIR'], ['--redis-url', 'REDIS_URL'], ['--base-url', 'DATAGOUV_BASE_URL'], ['--log-level', 'LOG_LEVEL'], ['--queue-name', 'QUEUE_NAME']]) {
        expect(globals, `${command} --help`).toMatch(new RegExp(`${flag} [\\s\\S]*?\\(env ${variable}\\)`));
      }
      if (command === 'dashboard') expect(stdout).toMatch(/--port <n>.*\(default: 8080\)[\s\S]*--host <host>[\s\S]*\(default: "127\.0\.0\.1"\)/);
    }
  });

  it('treats a flag like its variable: --log-level debug prints the stack trace LOG_LEVEL=debug prints', async () => {
    const byFlag = await cli(['--log-level', 'debug', 'runs'], { ...env, DATABASE_URL: DEAD_DB });
    const byEnv = await cli(['runs'], { ...env, DATABASE_URL: DEAD_DB, LOG_LEVEL: 'debug' });
    const plain = await cli(['runs'], { ...env, DATABASE_URL: DEAD_DB });
    for (const exit of [byFlag, byEnv, plain]) expect(exit.stderr.split('\n')[0]).toMatch(/^Cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere/);
    expect(byFlag.stderr).toMatch(STACK_FRAME);
    expect(byEnv.stderr).toMatch(STACK_FRAME);
    expect(plain.stderr).not.toMatch(STACK_FRAME);
  });

  it('names the flag the user typed in a configuration error, and the variable otherwise', async () => {
    const byFlag = await cli(['--page-size', '0', 'runs'], env);
    expect(byFlag.code).toBe(1);
    expect(byFlag.stderr.trim()).toMatch(/^Invalid configuration: --page-size .* \(got "0"\)$/);
    expect(byFlag.stderr).not.toContain('DATAGOUV_PAGE_SIZE');
    const byEnv = await cli(['runs'], { ...env, DATAGOUV_PAGE_SIZE: '0' });
    expect(byEnv.stderr.trim()).toMatch(/^Invalid configuration: DATAGOUV_PAGE_SIZE .* \(got "0"\)$/);
    const debug = await cli(['--log-level', 'debug', '--page-size', '0', 'runs'], env);
    expect(debug.stderr).toMatch(STACK_FRAME);
  });

  it('lists and removes the schedule', async () => {
    expect((await cli(['schedule', '--list'], env)).stdout).toBe(`No schedule on ${queueName}: \`npm run mirror -- schedule\` installs the nightly sync.\n`);
    expect((await cli(['schedule', '--cron', '30 2 * * *', '--tz', 'Europe/Paris'], env)).code).toBe(0);
    const listed = await cli(['schedule', '--list'], env);
    expect(listed.code).toBe(0);
    const [header, row, ...rest] = listed.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(header).toMatch(/^id +pattern +tz +next run +job$/);
    expect(row).toMatch(/^nightly-sync +30 2 \* \* \* +Europe\/Paris +\d{4}-\d\d-\d\dT\d\d:30:00\.000Z +sync$/);
    expect((await cli(['schedule', '--remove'], env)).stdout).toMatch(/^Removed the nightly sync schedule from /);
    expect((await cli(['schedule', '--list'], env)).stdout).toMatch(/^No schedule on /);
    expect((await cli(['schedule', '--remove'], env)).stdout).toMatch(/^No nightly sync schedule on .*nothing to remove\.$/m);
    expect((await cli(['schedule', '--list', '--remove'], env)).code).toBe(1);
  });

  it('on a terminal, draws a bar per listing with done/total, percent, rate and ETA, and logs for people', async () => {
    // script(1) gives the command a pseudo-terminal, as a person's shell does.
    const command = `${process.execPath} --import tsx bin/mirror.ts sync --kinds organizations,datasets --log-level info`;
    const exit = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm', ...env } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(exit.code, exit.out).toBe(0);
    const text = exit.out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // colours and cursor moves aside
    expect(text).toMatch(/datasets[^|\n]*\|█+\| 100% (\d+)\/\1 (pages|items) · [\d.–]+\/s · ETA +\d+s · \d+ items/);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: sync started /m);
    expect(text).not.toContain('{"level"');
    expect(text).toMatch(/^Run \d+ \((full|incremental)\) succeeded/m);
  });

  it('sync --queue --wait says when no worker consumes the queue, goes on when one comes, and shows progress', async () => {
    const waiting = startCli(['sync', '--queue', '--wait', '--mode', 'full'], env);
    await new Promise<void>((resolve, reject) => {
      waiting.child.stderr!.on('data', () => waiting.stderr().includes('No worker is consuming') && resolve());
      waiting.exited.then((code) => reject(new Error(`exited (${code}): ${waiting.stderr()}`)));
    });
    expect(waiting.stderr()).toContain(`No worker is consuming queue ${queueName}: start one with \`npm run mirror -- worker\``);
    const worker = await spawnWorker(testConfig({ DATABASE_URL: database.url, DATAGOUV_BASE_URL: fake.url, QUEUE_NAME: queueName, DATAGOUV_API_KEY: 'fake-admin-key' }), 2);
    try {
      expect(await waiting.exited, waiting.stderr()).toBe(0);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    const runId = Number(/^Run (\d+) \(full\) succeeded/m.exec(waiting.stdout())?.[1]);
    expect(runId).toBeGreaterThan(0);
    expect(waiting.stderr()).toMatch(/worker(s)? now consuming .*: the run goes on\./);
    // Its last progress line: every planned job done, and the run's inserts counted live from its changes.
    const [row] = await database.sql`select inserted from sync_runs where id = ${runId}`;
    const lines = waiting.stderr().split('\n').filter((l) => l.startsWith(`run ${runId}: `));
    expect(lines.at(-1)).toMatch(new RegExp(`^run ${runId}: (\\d+)/\\1 jobs, (\\d+ seen, )?${row!.inserted} inserted, 0 updated, 0 deleted$`));
  });

  it('runs shows a running run’s live counts, text columns aligned left and numbers right', async () => {
    const [run] = await database.sql`insert into sync_runs (mode, status, kinds) values ('incremental', 'running', '{datasets}') returning id::int as id`;
    const id = run!.id as number;
    await database.sql`insert into changes (run_id, entity_type, entity_id, op, changed_fields, patch)
      select ${id}, 'dataset', 'live-' || i, case when i <= 3 then 'insert' else 'update' end, '{title}', '[]'::jsonb from generate_series(1, 5) i`;
    const { code, stdout } = await cli(['runs', '--limit', '2'], env);
    expect(code).toBe(0);
    const [header, newest] = stdout.split('\n');
    const column = (name: string) => header!.indexOf(name);
    const cell = (line: string, name: string) => line.slice(column(name)).split(/\s{2,}/)[0];
    expect(cell(newest!, 'status')).toBe('running');
    expect(newest!.slice(column('mode'))).toMatch(/^incremental /); // left: starts under its header
    expect(newest!.slice(column('status'))).toMatch(/^running /);
    const end = (name: string) => column(name) + name.length;
    expect(newest!.slice(0, end('inserted'))).toMatch(/ 3$/); // right: ends under its header
    expect(newest!.slice(0, end('updated'))).toMatch(/ 2$/);
  });

  it('doctor reports each piece on one line, and fails when one does not work', async () => {
    const ok = await cli(['doctor'], env);
    expect(ok.code, ok.stderr).toBe(0);
    const lines = ok.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/ {2,}/)[0])).toEqual(['✓ database', '✓ redis', '✓ api', '! workers', '! schedule', '✓ last run']);
    expect(lines[0]).toMatch(/reachable, PostgreSQL \d+\.\d+.*, migrated \(\d+\/\d+\)$/);
    expect(lines[1]).toMatch(/reachable, Redis \d/);
    expect(lines[2]).toMatch(new RegExp(`${fake.url.replace(/[.]/g, '\\.')}: reachable in \\d+ ms, admin key accepted`));
    expect(lines[3]).toContain(`none connected to queue ${queueName}`);
    expect(lines[5]).toMatch(/run \d+ \((full|incremental)\) (succeeded|running)/);
    const broken = await cli(['doctor'], { ...env, DATABASE_URL: DEAD_DB, DATAGOUV_API_KEY: 'not-an-admin' });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^✗ database +postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/m);
    expect(broken.stdout).toMatch(/^✓ api .*API key refused by \/api\/1\/users\/ \(HTTP 40[13]\): not an admin key$/m);
    expect(broken.stderr.trim()).toBe('doctor: database, last run do not work (see above).');
  });

  it('sql prints a table or PostgreSQL’s refusal; db with DATABASE_URL names the server and returns', async () => {
    const table = await cli(['sql', "select 'a' as letter, 10 as n union all select 'bcd', 2 order by n"], env);
    expect(table).toMatchObject({ code: 0, stdout: 'letter   n\nbcd      2\na       10\n(2 rows)\n' });
    const several = await cli(['sql', 'select 1 as a; select 2 as b'], env);
    expect(several).toMatchObject({ code: 0, stdout: 'a\n1\n(1 row)\n\nb\n2\n(1 row)\n' });
    const port = await cli(['dashboard', '--port', '99999'], env);
    expect(port.code).toBe(1);
    expect(port.stderr.trim()).toBe(`error: option '--port <n>' argument '99999' is invalid. expected a whole number from 0 to 65535; got "99999".`);
    const refused = await cli(['sql', 'select nope'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('PostgreSQL refused the query: column "nope" does not exist (at character 8).');
    const db = await cli(['db'], env);
    expect(db.code).toBe(0);
    expect(db.stdout).toBe(`psql "${database.url}"\n`);
  });

  it('fake-api has --help with its admin key, plays the scripted day on Enter and churns with --churn', async () => {
    const help = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/fake-api.ts', '--help'], { cwd: ROOT });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out));
    });
    expect(help).toMatch(/--admin-key <key>[\s\S]*\(default: "fake-admin-key"\)/);
    expect(help).toMatch(/--churn <n>/);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/fake-api.ts', '--churn', '120', '--seed', '3'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const lines = createInterface({ input: child.stdout! });
      let base = '';
      let sentDay = false;
      const seen = await new Promise<{ id: string; title: string; day: string }>((resolve) => {
        let titled: { id: string; title: string } | undefined;
        lines.on('line', (line) => {
          base ||= /listening on (\S+)/.exec(line)?.[1] ?? '';
          const edit = /^churn: dataset (\S+) title → "(.*)"$/.exec(line);
          if (edit && !titled) titled = { id: edit[1]!, title: edit[2]! };
          if (titled && !sentDay) {
            sentDay = true;
            child.stdin!.write('\n');
          }
          if (line.startsWith('scripted day applied:') && titled) resolve({ ...titled, day: line });
        });
      });
      expect(seen.day).toMatch(/^scripted day applied: \d+ changes \(\d+ dataset/);
      const item = (await (await fetch(`${base}/api/1/datasets/${seen.id}/`)).json()) as { title: string };
      expect(item.title.startsWith(seen.title.replace(/ \(.*\)$/, ''))).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
