// The processes using an embedded server, one file each, and the lock under which a server is started
// or stopped. Touches the filesystem.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { isAlive } from './cluster.ts';

export interface LeaseFolder {
  /** The folder that holds one file per process using the server. */
  dir: string;
  /** The lock (a folder, proper-lockfile's) held while the server is started, attached to or stopped. */
  lockPath: string;
}

export function leaseFolder(dataDir: string): LeaseFolder {
  return { dir: path.join(dataDir, 'postgres.users'), lockPath: path.join(dataDir, 'postgres.lock') };
}

const LOCK_OPTIONS = { realpath: false, stale: 15_000 } as const;

/** Runs `work` under the lock; another command holding it is waited for (it holds it for seconds at most). */
export async function withLock<T>(folder: LeaseFolder, work: () => Promise<T>): Promise<T> {
  const release = await lockfile.lock(folder.lockPath, {
    ...LOCK_OPTIONS,
    lockfilePath: folder.lockPath,
    retries: { retries: 600, factor: 1, minTimeout: 100, maxTimeout: 100 },
  });
  try {
    return await work();
  } finally {
    await release().catch(() => {});
  }
}

/** The lock taken at once or not at all (from an exit handler, which cannot wait). */
export function tryLockSync(folder: LeaseFolder): (() => void) | undefined {
  try {
    return lockfile.lockSync(folder.lockPath, { ...LOCK_OPTIONS, lockfilePath: folder.lockPath });
  } catch {
    return undefined;
  }
}

export function addLease(folder: LeaseFolder, pid: number, what: string): void {
  mkdirSync(folder.dir, { recursive: true });
  writeFileSync(path.join(folder.dir, String(pid)), `${JSON.stringify({ pid, what, since: new Date().toISOString() })}\n`);
}

export function removeLease(folder: LeaseFolder, pid: number): void {
  rmSync(path.join(folder.dir, String(pid)), { force: true });
}

/** Pids of the live processes holding a lease; the leases of dead ones (killed, crashed) are removed. */
export function liveLeases(folder: LeaseFolder): number[] {
  let names: string[];
  try {
    names = readdirSync(folder.dir);
  } catch {
    return [];
  }
  const live: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) live.push(pid);
    else rmSync(path.join(folder.dir, name), { force: true });
  }
  return live;
}
