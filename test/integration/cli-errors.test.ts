// The command line's failures as ops meet them: the real CLI in a subprocess against an API that does not
// resolve or does not listen, a database host that never answers, a Redis nobody runs, a role PostgreSQL
// refuses. Each failure is one sentence that names the right server, printed once, on stderr.
// Touches Postgres, Redis (none listening), local TCP servers and child processes.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql as raw } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { causeMessage } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only `env` (plus PATH/HOME/TMPDIR) reaches the CLI, so the test process's settings never leak in. */
function cliEnv(env: Record<string, string>): Record<string, string> {
  const base = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  return { ...base, ...env };
}

/** Runs the CLI to its end; killed after `killAfterMs` (then `code` is null), which bounds how long a failure may take. */
function cli(args: string[], env: Record<string, string>, killAfterMs: number): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'bin/mirror.ts', ...args], { cwd: ROOT, env: cliEnv(env), timeout: killAfterMs }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** Lines a person reads: pino's JSON records are the log stream, not what the command prints. */
const printed = (text: string) => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));

/** Expects `pattern` on exactly one printed line, on stderr, and nowhere on stdout; returns that line. */
function expectPrintedOnce(exit: Exit, pattern: RegExp): string {
  expect(printed(exit.stdout).filter((l) => pattern.test(l)), exit.stdout).toEqual([]);
  const lines = printed(exit.stderr).filter((l) => pattern.test(l));
  expect(lines, exit.stderr).toHaveLength(1);
  return lines[0]!;
}

const STACK_FRAME = /^\s+at \S/m;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server on loopback that accepts connections and never says a word: a database host gone silent. */
async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Starts a long-running CLI command and resolves with its first `count` stderr lines, then kills it. */
function firstStderrLines(args: string[], env: Record<string, string>, count: number, killAfterMs: number): Promise<{ lines: string[]; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/mirror.ts', ...args], { cwd: ROOT, env: cliEnv(env) });
    let buffer = '';
    let stdout = '';
    const lines: string[] = [];
    const give = (outcome: () => void) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      outcome();
    };
    const timer = setTimeout(() => give(() => reject(new Error(`only ${lines.length} stderr lines in ${killAfterMs} ms: ${lines.join('\n')}`))), killAfterMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts.filter((l) => l.trim() !== ''));
      if (lines.length >= count) give(() => resolve({ lines: lines.slice(0, count), stdout }));
    });
    child.on('exit', (code) => give(() => reject(new Error(`exited (${code}) after ${lines.length} stderr lines: ${lines.join('\n')}`))));
  });
}

describe('command-line failures', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url, QUEUE_NAME: `cli-errors-${randomBytes(4).toString('hex')}` };
  });
  afterAll(async () => database?.drop());

  const runRow = async (id: number) => (await database.sql`select status, error from sync_runs where id = ${id}`)[0];

  it('an API host that does not resolve fails the sync within seconds, naming the host and DATAGOUV_BASE_URL', async () => {
    const host = `mirror-${randomBytes(3).toString('hex')}.invalid`;
    const exit = await cli(['sync', '--mode', 'full'], { ...env, DATAGOUV_BASE_URL: `http://${host}` }, 20_000);
    expect(exit.code, exit.stderr).toBe(1);
    const line = expectPrintedOnce(exit, new RegExp(host.replaceAll('.', '\\.')));
    expect(line).toMatch(/^Run (\d+) failed: The host \S+\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\): check DATAGOUV_BASE_URL .*\.$/);
    expect(line).not.toMatch(/PostgreSQL|ban|job|retried later/i);
    const runId = Number(line.match(/^Run (\d+)/)![1]);
    expect(await runRow(runId)).toEqual({ status: 'failed', error: line.replace(/^Run \d+ failed: /, '') });
  });

  it('an API port nobody listens on is "nothing is listening at URL", not a ban', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const exit = await cli(['sync', '--mode', 'full'], { ...env, DATAGOUV_BASE_URL: url }, 20_000);
    expect(exit.code, exit.stderr).toBe(1);
    const line = expectPrintedOnce(exit, /Nothing is listening/);
    expect(line).toMatch(new RegExp(`^Run \\d+ failed: Nothing is listening at ${url} .*DATAGOUV_BASE_URL.*\\.$`));
    expect(printed(exit.stderr).join('\n')).not.toMatch(/ban|wait \(hours\)|job/i);
  });

  it('harvest-org with an API host that does not resolve blames the API, never PostgreSQL (with a stack at LOG_LEVEL=debug)', async () => {
    const apiEnv = { ...env, DATAGOUV_BASE_URL: 'http://harvest-org-test.invalid' };
    const exit = await cli(['harvest-org', 'some-org'], apiEnv, 20_000);
    expect(exit.code, exit.stderr).toBe(1);
    expect(printed(exit.stderr)).toEqual([expect.stringMatching(/^The host harvest-org-test\.invalid does not resolve .*DATAGOUV_BASE_URL/)]);
    expect(exit.stdout + exit.stderr).not.toMatch(/PostgreSQL|DATABASE_URL/);
    expect(exit.stderr).not.toMatch(STACK_FRAME);

    const debug = await cli(['harvest-org', 'some-org'], { ...apiEnv, LOG_LEVEL: 'debug' }, 20_000);
    expect(debug.code).toBe(1);
    expectPrintedOnce(debug, /^The host harvest-org-test\.invalid does not resolve/);
    expect(debug.stderr).toMatch(STACK_FRAME);
  });

  it('a database host that accepts connections and never answers fails within the connect timeout', { timeout: 90_000 }, async () => {
    const hole = await blackHole();
    try {
      const url = `postgres://postgres@127.0.0.1:${hole.port}/silent`;
      // The default connect timeout (10 s) is what is under test: the process must end well under a minute.
      const exit = await cli(['runs'], { ...env, DATABASE_URL: url }, 25_000);
      expect(exit.code, `still running after 25 s: ${exit.stderr}`).toBe(1);
      expect(printed(exit.stderr)).toEqual([
        `Cannot connect to PostgreSQL at ${url} (CONNECT_TIMEOUT): check DATABASE_URL (or --database-url) and that the server runs.`,
      ]);
    } finally {
      await hole.close();
    }
  });

  it('a worker without Redis logs one line per backoff step, saying it waits for Redis at its URL', async () => {
    const redisUrl = `redis://127.0.0.1:${await closedPort()}`;
    const { lines, stdout } = await firstStderrLines(['worker'], { ...env, REDIS_URL: redisUrl }, 4, 30_000);
    expect(stdout).toBe('');
    // Every line is a log record (no raw error dump), one per step, each step's delay longer than the last.
    const records = lines.map((l) => JSON.parse(l) as { msg: string; attempt: number; retryInMs: number; redis: string });
    expect(records.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    for (const r of records) expect(r.msg).toMatch(new RegExp(`^waiting for Redis at ${redisUrl}/? \\(ECONNREFUSED\\)`));
    const delays = records.map((r) => r.retryInMs);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(new Set(delays).size).toBe(delays.length);
    expect(new Set(lines.map((l) => JSON.parse(l).msg)).size).toBe(lines.length);
  });

  it('a query PostgreSQL refuses is reported with PostgreSQL\'s own message, once', async () => {
    const role = `dgm_test_noaccess_${randomBytes(3).toString('hex')}`;
    const admin = postgres(inject('pgServerUrl'), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create role ${role} login`);
    try {
      const url = Object.assign(new URL(database.url), { username: role }).toString();
      const exit = await cli(['runs'], { ...env, DATABASE_URL: url }, 30_000);
      expect(exit.code, exit.stderr).toBe(1);
      expect(printed(exit.stderr)).toEqual([expect.stringMatching(/^permission denied for table \w+\.$/)]);
      expect(exit.stderr).not.toMatch(/Failed query/);
    } finally {
      await admin.unsafe(`drop role if exists ${role}`).catch(() => {});
      await admin.end();
    }
  });

  it('unwraps drizzle\'s "Failed query" to the message PostgreSQL gave, for logs and the ledger', async () => {
    const error = await database.db.execute(raw`select * from table_that_does_not_exist`).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Failed query/);
    expect(causeMessage(error)).toBe('relation "table_that_does_not_exist" does not exist');
    const records: string[] = [];
    createLogger('info', { write: (line: string) => void records.push(line) }).error({ err: error }, 'query failed');
    expect(JSON.parse(records[0]!).err).toEqual({ type: 'PostgresError', message: 'relation "table_that_does_not_exist" does not exist', code: '42P01' });
  });
});
