// Throw-away PostgreSQL clusters and Redis servers for the tests that restart or crash a server: the
// shared servers are never stopped. PostgreSQL runs as the `postgres` user (initdb refuses root) in
// a temporary folder, Redis as a child process; both on a free loopback port, stopped by pid.
// Touches child processes, the file system and the network.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/** A port nothing listens on right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = path.join(root, version, 'bin', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found under ${root}: install PostgreSQL's server package.`);
}

/** Runs a PostgreSQL tool as the `postgres` user when we are root (initdb and pg_ctl refuse root). */
async function asPostgres(bin: string, args: string[]): Promise<string> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const { stdout } = await run(file, argv, { maxBuffer: 4 * 1024 * 1024 });
  return stdout;
}

export interface OwnPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database?: string): string;
  port: number;
  dir: string;
  /** pg_ctl restart -m fast: clients are disconnected, the server is back when this resolves. */
  restartFast(): Promise<void>;
  /** SIGKILL of the postmaster: no shutdown checkpoint; `start()` runs crash recovery. */
  crash(): Promise<void>;
  /** Stops the server (fast); `start()` brings it back on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** The postmaster's pid, from postmaster.pid. */
  pid(): number | undefined;
  /** Stops the server by pid and removes its folder. */
  destroy(): Promise<void>;
}

/** initdb + pg_ctl start of a new cluster on a free port; fsync off (tests do not need durability). */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dgm-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  await asPostgres(pgBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100`;
  const ctl = (...args: string[]) => asPostgres(pgBin('pg_ctl'), ['-D', data, ...args]);
  const start = async () => {
    await ctl('-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start');
  };
  await start();
  const pid = () => {
    const file = path.join(data, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const value = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    dir,
    pid,
    start,
    async restartFast() {
      await ctl('-o', options, '-l', path.join(dir, 'log'), '-m', 'fast', '-w', '-t', '60', 'restart');
    },
    async crash() {
      const p = pid();
      if (p) {
        process.kill(p, 'SIGKILL');
        await waitForExit(p);
      }
      // The children of a killed postmaster exit on their own once they notice; wait until the port is free.
      await waitForPortFree(port);
    },
    async stop() {
      await ctl('-m', 'fast', '-w', '-t', '60', 'stop');
    },
    async destroy() {
      const p = pid();
      if (p) {
        try {
          process.kill(p, 'SIGQUIT'); // immediate shutdown
          await waitForExit(p);
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a database on an own cluster (the mirror's migrate creates it too; this is for setups). */
export async function createDatabase(server: OwnPostgres, name: string): Promise<string> {
  const admin = postgres(server.url(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return server.url(name);
}

export interface OwnRedis {
  url: string;
  port: number;
  process: ChildProcess;
  /** SIGTERM (with persistence, the AOF is kept) then a new server on the same port and folder. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** SIGKILL: nothing is saved. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server for good (SIGKILL) and removes its folder. */
  destroy(): Promise<void>;
}

/** redis-server on a free port, in a temporary folder; `persistent` turns the append-only file on. */
export async function startOwnRedis(options: { persistent?: boolean } = {}): Promise<OwnRedis> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dgm-redis-'));
  const port = await freePort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir,
    '--appendonly', options.persistent ? 'yes' : 'no', '--appendfsync', 'always', '--daemonize', 'no',
  ];
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForRedis(url);
  };
  const stopWith = async (signal: NodeJS.Signals) => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill(signal);
    await exited;
  };
  await start();
  const handle: OwnRedis = {
    url,
    port,
    get process() {
      return child!;
    },
    start,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    async restart(o = {}) {
      await stopWith('SIGTERM');
      if (o.downMs) await new Promise((resolve) => setTimeout(resolve, o.downMs));
      await start();
    },
    async destroy() {
      await stopWith('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

async function waitForRedis(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    client.on('error', () => {});
    try {
      await client.connect();
      const info = await client.info('persistence');
      if (!/loading:1/.test(info)) return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server at ${url} did not start.`);
}

async function waitForExit(pid: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`process ${pid} did not exit.`);
}

async function waitForPortFree(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const inUse = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (!inUse) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`port ${port} is still in use.`);
}

function uidOf(user: string): number {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`user ${user} not found`);
  return Number(line.split(':')[2]);
}

function gidOf(user: string): number {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`user ${user} not found`);
  return Number(line.split(':')[3]);
}
