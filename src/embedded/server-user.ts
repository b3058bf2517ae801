// Who runs the embedded server: PostgreSQL refuses to run as root, so root hands it to an unprivileged
// account. Touches the filesystem and reads the system's user database (`id`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';

export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
  /** True when this process runs as root and must hand the server to `name`. */
  handedOver: boolean;
}

function lookup(name: string): ServerUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid, handedOver: true } : undefined;
  } catch {
    return undefined;
  }
}

function nameOf(uid: number): string {
  try {
    return execFileSync('id', ['-nu', String(uid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return String(uid);
  }
}

/** Whether `user` can run `binary` (always, for this process's own account). */
export function canRun(user: ServerUser, binary: string): boolean {
  if (!user.handedOver) return true;
  return spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', binary], { uid: user.uid, gid: user.gid, cwd: '/', stdio: 'ignore' }).status === 0;
}

/** Fails with what to do when the account root hands the server to cannot enter `folder`. */
export function assertReachable(user: ServerUser, folder: string): void {
  if (!user.handedOver) return;
  const probe = spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', folder], { uid: user.uid, gid: user.gid, cwd: '/', stdio: 'ignore' });
  if (probe.status === 0) return;
  throw new Error(
    `PostgreSQL refuses to run as root, so the embedded server runs as "${user.name}", which cannot enter ${folder}: ` +
      `put MIRROR_DATA_DIR where "${user.name}" can reach it, run as another user, or set DATABASE_URL.`,
  );
}

/**
 * This process's own account when it is not root. As root: the owner of an existing data folder
 * (whoever created it keeps it), else the `postgres` system account when there is one, else `nobody`.
 */
export function serverUser(pgdata: string): ServerUser {
  const self = os.userInfo();
  if (process.platform === 'win32' || self.uid !== 0) return { name: self.username, uid: self.uid, gid: self.gid, handedOver: false };
  if (existsSync(pgdata)) {
    const { uid, gid } = statSync(pgdata);
    if (uid !== 0) return { name: nameOf(uid), uid, gid, handedOver: true };
  }
  const found = lookup('postgres') ?? lookup('nobody');
  if (!found) throw new Error('PostgreSQL cannot run as root and this system has neither a "postgres" nor a "nobody" account: run as another user or set DATABASE_URL.');
  return found;
}
