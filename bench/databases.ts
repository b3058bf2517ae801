// Fresh, migrated databases per scenario (dgm_bench_<pid>_<label>), dropped afterwards, and leftovers of dead bench runs. Touches Postgres.
import postgres from 'postgres';
import { runMigrations } from '../src/db/migrate.ts';
import { onCleanup } from './cleanup.ts';

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432';
const PREFIX = 'dgm_bench_';
let counter = 0;

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** The server of BENCH_DATABASE_URL or DATABASE_URL, with `dbname` as its database. */
export function databaseUrl(dbname: string): string {
  const url = new URL(process.env['BENCH_DATABASE_URL'] || process.env['DATABASE_URL'] || DEFAULT_SERVER);
  url.pathname = `/${dbname}`;
  return url.toString();
}

async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 2 });
  }
}

async function dropDatabase(name: string): Promise<void> {
  await withAdmin((sql) => sql.unsafe(`drop database if exists "${name}" with (force)`));
}

export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `${PREFIX}${process.pid}_${label}_${++counter}`;
  await withAdmin(async (sql) => {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
    await sql.unsafe(`create database "${name}"`);
  });
  const drop = onCleanup(`database ${name}`, () => dropDatabase(name));
  const url = databaseUrl(name);
  await runMigrations(url);
  // Creating a database writes a lot: flush it now, or its writeback lands inside the measurement.
  await withAdmin((sql) => sql`checkpoint`).catch(() => {});
  return { name, url, drop };
}

/** Drops bench databases whose bench process is gone (a bench killed with -9 cannot clean up). */
export async function dropLeftoverDatabases(): Promise<string[]> {
  return withAdmin(async (sql) => {
    const rows = await sql<{ datname: string }[]>`select datname from pg_database where datname like ${`${PREFIX}%`}`;
    const dead = rows.map((r) => r.datname).filter((name) => !isAlive(Number(/^dgm_bench_(\d+)_/.exec(name)?.[1])));
    for (const name of dead) await sql.unsafe(`drop database if exists "${name}" with (force)`);
    return dead;
  });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
