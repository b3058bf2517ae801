// The embedded PostgreSQL of a data folder, shared by every command that uses it: the first one starts
// it on a free loopback port, the others attach to it, the last one to leave stops it. Touches the
// filesystem, child processes and a local TCP port.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { binariesFor, locateBinaries, majorVersionOf, type PostgresBinaries } from './binaries.ts';
import { dataVersion, EmbeddedServerError, initCluster, isInitialised, readPostmaster, startCluster, stopCluster, SUPERUSER } from './cluster.ts';
import { addLease, leaseFolder, liveLeases, removeLease, tryLockSync, withLock, type LeaseFolder } from './leases.ts';
import { assertReachable, canRun, serverUser, type ServerUser } from './server-user.ts';

/** The server's account and the binaries it can run. */
function launcher(pgdata: string): { user: ServerUser; bins: PostgresBinaries } {
  const user = serverUser(pgdata);
  return { user, bins: binariesFor(locateBinaries(), (binary) => canRun(user, binary), os.tmpdir()) };
}

export { EmbeddedServerError } from './cluster.ts';
export { EmbeddedUnavailableError } from './binaries.ts';

export interface EmbeddedServer {
  /** The data folder (MIRROR_DATA_DIR), absolute. */
  dataDir: string;
  /** The cluster's folder inside it. */
  pgdata: string;
  port: number;
  /** PostgreSQL's major version. */
  version: string;
  /** Whether this process started the server (false: it attached to a running one). */
  started: boolean;
  /** A connection string to `database` on this server. */
  url(database: string): string;
  /** Leaves the server; the last process to leave stops it. Idempotent. */
  release(): Promise<void>;
}

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The superuser's password, made when the cluster is; readable by its creator only. */
function passwordOf(dataDir: string, create: boolean): string {
  const file = path.join(dataDir, 'postgres.password');
  if (create) {
    const password = randomBytes(18).toString('base64url');
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
  if (!existsSync(file)) throw new EmbeddedServerError(`${file} is missing: the embedded server in ${dataDir} cannot be logged into; move that folder away to start afresh.`);
  return readFileSync(file, 'utf8').trim();
}

async function startServer(dataDir: string, pgdata: string): Promise<void> {
  const { user, bins } = launcher(pgdata);
  assertReachable(user, dataDir);
  if (!isInitialised(pgdata)) await initCluster(bins, pgdata, user, passwordOf(dataDir, true));
  const major = majorVersionOf(bins.root);
  if (major && dataVersion(pgdata) !== major) {
    throw new EmbeddedServerError(
      `${pgdata} holds a PostgreSQL ${dataVersion(pgdata)} cluster and this package brings PostgreSQL ${major}: dump it with the older version, or move the folder away to start afresh.`,
    );
  }
  // The port is free when probed; another program may take it before the server binds it: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      await startCluster(bins, pgdata, user, await freePort());
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** Joins the embedded server of `dataDir`, starting it (and creating its cluster) when none runs. */
export async function acquireEmbedded(options: { dataDir: string; what?: string }): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  const pgdata = path.join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  locateBinaries(); // no binaries for this platform: said before anything else
  const folder = leaseFolder(dataDir);
  const { port, started } = await withLock(folder, async () => {
    let running = readPostmaster(pgdata);
    if (running?.status === 'stopping') {
      const { user, bins } = launcher(pgdata);
      await stopCluster(bins, pgdata, user); // waits for the shutdown under way to end
      running = undefined;
    }
    if (!running) await startServer(dataDir, pgdata);
    const postmaster = running ?? readPostmaster(pgdata);
    if (!postmaster) throw new EmbeddedServerError(`The embedded server in ${pgdata} stopped right after it started (see ${path.join(pgdata, 'server.log')}).`);
    addLease(folder, process.pid, options.what ?? 'command');
    return { port: postmaster.port, started: !running };
  });
  const password = passwordOf(dataDir, false);
  let released = false;
  const onExit = () => {
    if (!released) leaveNow(folder, pgdata);
  };
  process.on('exit', onExit);
  return {
    dataDir,
    pgdata,
    port,
    started,
    version: dataVersion(pgdata),
    url: (database) => `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      removeLease(folder, process.pid);
      if (!existsSync(dataDir)) return; // the folder went away (and its server with it): nothing to stop
      await withLock(folder, async () => {
        if (liveLeases(folder).length > 0 || !readPostmaster(pgdata)) return;
        const { user, bins } = launcher(pgdata);
        await stopCluster(bins, pgdata, user);
      });
    },
  };
}

/** At process exit (no waiting possible): leave, and ask for a fast shutdown when no one else uses the server. */
function leaveNow(folder: LeaseFolder, pgdata: string): void {
  removeLease(folder, process.pid);
  const unlock = tryLockSync(folder);
  if (!unlock) return; // another command holds the lock: a starter stays, a leaver stops the server
  try {
    const postmaster = readPostmaster(pgdata);
    if (postmaster && liveLeases(folder).length === 0) process.kill(postmaster.pid, 'SIGINT');
  } catch {
    // the server went meanwhile
  } finally {
    unlock();
  }
}
