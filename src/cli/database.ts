// Which database a command uses: DATABASE_URL (or --database-url) when given, else the embedded
// PostgreSQL of MIRROR_DATA_DIR, started (or joined) for the command, migrated, and left when it
// ends. Touches Postgres, the filesystem and child processes.
import path from 'node:path';
import { runMigrations } from '../db/migrate.ts';
import type { EmbeddedServer } from '../embedded/server.ts';

/** The embedded server's database of the mirror, and the demo's (never the same). */
export const EMBEDDED_DATABASES = { mirror: 'datagouv_mirror', demo: 'datagouv_mirror_demo' } as const;

export interface EmbeddedChoice {
  server: EmbeddedServer;
  database: string;
  url: string;
}

let joined: EmbeddedServer | undefined;
let chosen: EmbeddedChoice | undefined;

/** The embedded database this process uses, once a command chose it. */
export function embeddedChoice(): EmbeddedChoice | undefined {
  return chosen;
}

/** The line every command that uses the embedded server prints first (on stderr). */
export function describeEmbedded(choice: EmbeddedChoice): string {
  const where = path.relative(process.cwd(), choice.server.pgdata) || '.';
  const shown = where.startsWith('..') ? choice.server.pgdata : `./${where}`;
  return (
    `Database: the embedded PostgreSQL ${choice.server.version} in ${shown}, database ${choice.database} on 127.0.0.1:${choice.server.port}` +
    `${choice.server.started ? '' : ' (already running)'}; ` +
    (choice.database === EMBEDDED_DATABASES.demo
      ? 'the demo never writes to DATABASE_URL (your mirror): pass --database-url to put it on a server.'
      : 'to use a server instead, set DATABASE_URL or pass --database-url.')
  );
}

/** Joins the embedded server of `dataDir` for this process and returns `database`'s URL, created and migrated. */
export async function useEmbedded(dataDir: string, database: string, options: { migrate?: boolean; what?: string } = {}): Promise<EmbeddedChoice> {
  // Imported here: a command given DATABASE_URL never loads the embedded server's code.
  joined ??= await (await import('../embedded/server.ts')).acquireEmbedded({ dataDir, what: options.what });
  const url = joined.url(database);
  if (options.migrate !== false) await runMigrations(url);
  chosen = { server: joined, database, url };
  return chosen;
}

/** Leaves the embedded server if this process joined it (the last command to leave stops it). */
export async function leaveEmbedded(): Promise<void> {
  const server = joined;
  joined = undefined;
  chosen = undefined;
  await server?.release();
}
