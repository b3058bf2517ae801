// The demo's own database, made afresh at each demo: the embedded server's demo database, or the one
// --database-url names, provided it is new or a former demo's. Never the mirror's. Touches Postgres.
import postgres from 'postgres';
import { redactUrl, runMigrations } from '../db/migrate.ts';
import { CliError } from './errors.ts';

/** Set on the demo's database so that a later demo may drop it, and no other. */
export const DEMO_MARK = 'datagouv-mirror demo: dropped and made again by every `demo`';

function nameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new CliError(`--database-url names no database: ${redactUrl(url)}.`);
  return name;
}

/** Drops and creates `url`'s database (refused when it exists and is not a former demo's), then migrates it. */
export async function freshDemoDatabase(url: string): Promise<void> {
  const name = nameOf(url);
  const maintenance = Object.assign(new URL(url), { pathname: '/postgres' }).toString();
  const admin = postgres(maintenance, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const [existing] = await admin`select shobj_description(oid, 'pg_database') as mark from pg_database where datname = ${name}`;
    if (existing && existing.mark !== DEMO_MARK) {
      throw new CliError(`The database "${name}" at ${redactUrl(url)} exists and is not a demo's: the demo drops and makes its database again, so name a new one.`);
    }
    const ident = `"${name.replaceAll('"', '""')}"`;
    if (existing) await admin.unsafe(`drop database ${ident} with (force)`);
    await admin.unsafe(`create database ${ident}`);
    await admin.unsafe(`comment on database ${ident} is '${DEMO_MARK.replaceAll("'", "''")}'`);
  } finally {
    await admin.end({ timeout: 2 });
  }
  await runMigrations(url);
}
