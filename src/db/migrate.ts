// Migrations: creates the database when missing, then applies migrations/ under an advisory lock. Touches Postgres.
import path from 'node:path';
import postgres from 'postgres';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { drizzle } from 'drizzle-orm/postgres-js';
import { PACKAGE_ROOT } from '../package-root.ts';

export const MIGRATIONS_FOLDER = path.join(PACKAGE_ROOT, 'migrations');

/** Any constant works; it only has to be the same for every process migrating this database. */
const MIGRATION_LOCK_KEY = 0x6d6972726f72; // "mirror"

export class DatabaseError extends Error {
  override name = 'DatabaseError';
}

/** Creates the database named in `url` if it is missing; a concurrent creator is not an error. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new DatabaseError(`DATABASE_URL names no database: ${redactUrl(url)}`);
  const probe = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await probe`select 1`;
    return false;
  } catch (error) {
    if (!isMissingDatabase(error)) throw connectionError(url, error);
  } finally {
    await probe.end({ timeout: 1 });
  }
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = postgres(maintenance.toString(), { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await admin.unsafe(`create database "${name.replaceAll('"', '""')}"`);
    return true;
  } catch (error) {
    // Created meanwhile by another process: 42P04, or 23505 when the two creations race in the catalog.
    if (pgCode(error) === '42P04' || pgCode(error) === '23505') return false;
    throw new DatabaseError(
      `Could not create database "${name}": ${errorMessage(error)}. Create it by hand or give the role CREATEDB.`,
      { cause: error },
    );
  } finally {
    await admin.end({ timeout: 1 });
  }
}

/** Applies pending migrations; safe to run twice or from several processes at once. */
export async function runMigrations(url: string): Promise<{ created: boolean }> {
  const created = await ensureDatabase(url);
  // One connection: the advisory lock is held by the session that runs the migrations.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } catch (error) {
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(`Migration failed: ${errorMessage(error)}`, { cause: error });
  } finally {
    await sql.end({ timeout: 5 });
  }
  return { created };
}

function isMissingDatabase(error: unknown): boolean {
  return pgCode(error) === '3D000';
}

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function connectionError(url: string, error: unknown): DatabaseError {
  return new DatabaseError(
    `Cannot connect to PostgreSQL at ${redactUrl(url)} (${errorMessage(error)}): check DATABASE_URL and that the server runs.`,
    { cause: error },
  );
}

/** A connection string without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable url>';
  }
}
