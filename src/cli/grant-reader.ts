// `grant-reader ROLE`: the analysts' read-only role, and what to do next (a password, a connection
// string). Touches Postgres.
import type { Config } from '../config.ts';
import { openDb } from '../db/client.ts';
import { grantReader, ReaderGrantError } from '../db/grant-reader.ts';
import { CliError } from './errors.ts';

/** The database URL with `role` as its user and no password: what the analyst connects with. */
function readerUrl(databaseUrl: string, role: string): string {
  const url = new URL(databaseUrl);
  url.username = encodeURIComponent(role);
  url.password = '';
  return url.toString();
}

export async function grantReaderCommand(config: Config, role: string): Promise<void> {
  const database = openDb(config.DATABASE_URL, { max: 1, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS });
  try {
    const grant = await grantReader(database.sql, role).catch((error: unknown) => {
      if (error instanceof ReaderGrantError) throw new CliError(error.message);
      const { code, message } = error as { code?: string; message?: string };
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08')) {
        throw new CliError(`PostgreSQL refused to set up role ${role}: ${message}; run grant-reader as the mirror's owner with CREATEROLE, or as a superuser.`);
      }
      throw error;
    });
    console.log(
      `Role ${grant.role} ${grant.created ? 'created (LOGIN, no password)' : 'already existed'}: it may read the ${grant.relations} tables and views ` +
        `and run the ${grant.functions} functions of schema ${grant.schema} in database ${grant.database}, and what later migrations add (as ${grant.owner}).`,
    );
    if (grant.created) console.log(`Set its password in psql with \\password ${grant.role}, then connect with ${readerUrl(config.DATABASE_URL, grant.role)}.`);
    if (grant.writable.length) {
      process.stderr.write(`Warning: ${grant.role} could already write ${grant.writable.join(', ')} (granted elsewhere; grant-reader never revokes).\n`);
    }
    if (grant.publicCanCreate) {
      process.stderr.write(`Warning: PUBLIC may create tables in schema ${grant.schema}, so ${grant.role} may too: REVOKE CREATE ON SCHEMA ${grant.schema} FROM PUBLIC to stop it.\n`);
    }
  } finally {
    await database.close();
  }
}
