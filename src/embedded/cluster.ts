// One PostgreSQL cluster in a folder, driven by PostgreSQL's own initdb and pg_ctl: create, start on a
// port, read its state from postmaster.pid, stop. Touches the filesystem and child processes.
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PostgresBinaries } from './binaries.ts';
import type { ServerUser } from './server-user.ts';

const run = promisify(execFile);

/** The superuser the cluster is created with. */
export const SUPERUSER = 'postgres';

export class EmbeddedServerError extends Error {
  override name = 'EmbeddedServerError';
}

export interface Postmaster {
  pid: number;
  port: number;
  /** `starting`, `ready`, `stopping` or `standby` (postmaster.pid's last line). */
  status: string;
}

async function tool(binary: string, args: string[], user: ServerUser): Promise<string> {
  try {
    const { stdout } = await run(binary, args, {
      // cwd "/" so that a home folder the server's account cannot enter is never its working directory
      cwd: '/',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' },
      timeout: 120_000,
      ...(user.handedOver ? { uid: user.uid, gid: user.gid } : {}),
    });
    return stdout;
  } catch (error) {
    const { stderr, code, message } = error as { stderr?: string; code?: unknown; message: string };
    const detail = (stderr || message).trim().split('\n').slice(-3).join(' ');
    const as = user.handedOver ? ` as ${user.name}` : '';
    if (code === 'EACCES') throw new EmbeddedServerError(`${path.basename(binary)} could not be run${as}: ${binary} is not reachable by that account.`);
    throw new EmbeddedServerError(`${path.basename(binary)} failed${as}: ${detail}`);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** The running postmaster of `pgdata`, from the pid file PostgreSQL keeps; undefined when none runs. */
export function readPostmaster(pgdata: string): Postmaster | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return { pid, port, status: (lines[7] ?? '').trim() };
}

export function isInitialised(pgdata: string): boolean {
  return existsSync(path.join(pgdata, 'PG_VERSION'));
}

export function dataVersion(pgdata: string): string {
  return readFileSync(path.join(pgdata, 'PG_VERSION'), 'utf8').trim();
}

/** Creates the cluster: loopback TCP only (no Unix socket), password authentication for every connection. */
export async function initCluster(bins: PostgresBinaries, pgdata: string, user: ServerUser, password: string): Promise<void> {
  rmSync(pgdata, { recursive: true, force: true }); // a half-made folder of an interrupted initdb
  mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  const pwfile = `${pgdata}.pwfile`;
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user.handedOver) {
    chownSync(pgdata, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  chmodSync(pgdata, 0o700);
  try {
    await tool(bins.initdb, ['-D', pgdata, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale', '--no-instructions'], user);
  } catch (error) {
    rmSync(pgdata, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(pwfile, { force: true });
  }
  appendFileSync(
    path.join(pgdata, 'postgresql.conf'),
    "\n# datagouv-mirror: loopback only, no Unix socket (the port is chosen at each start)\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n",
  );
}

/** Starts the server detached from this process (pg_ctl puts it in its own session) and waits until it accepts connections. */
export async function startCluster(bins: PostgresBinaries, pgdata: string, user: ServerUser, port: number): Promise<void> {
  await tool(bins.pgCtl, ['-D', pgdata, '-l', path.join(pgdata, 'server.log'), '-o', `-p ${port}`, '-w', '-t', '60', '-s', 'start'], user).catch((error: unknown) => {
    throw new EmbeddedServerError(`${(error as Error).message} (see ${path.join(pgdata, 'server.log')})`);
  });
}

/** Fast shutdown (sessions are ended, the data is safe) and waits for the server to be gone. */
export async function stopCluster(bins: PostgresBinaries, pgdata: string, user: ServerUser): Promise<void> {
  await tool(bins.pgCtl, ['-D', pgdata, '-m', 'fast', '-w', '-t', '60', '-s', 'stop'], user);
}
