// PostgreSQL client: one postgres.js pool wrapped by drizzle. Touches Postgres.
import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as schema from './schema.ts';

export type Db = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

export interface DbHandle {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/** Default of `connectTimeoutMs`: an unreachable or silent host is reported in seconds, not minutes. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface OpenDbOptions {
  /** Connections in the pool. Default 8. */
  max?: number;
  /** Default DEFAULT_CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
  /** A harvesting pool (sync, worker): its sessions plan without JIT. A page's statements are small,
   * and during a first load the statistics lag so far behind the tables that the planner's costs (and
   * with them the JIT decision) are wrong; compiling cost tens of milliseconds a statement for nothing.
   * For the same reason its prepared statements are planned at every execution with their parameters
   * (`force_custom_plan`), never with a generic plan cached while the tables were still empty.
   * Not `synchronous_commit = off`: a run that outlives a crash of PostgreSQL would go on believing
   * in commits the crash lost (test/integration/in-process-runs.test.ts catches it). Default false. */
  harvesting?: boolean;
}

/** Opens a pool; notices are silenced because `IF NOT EXISTS` statements emit them on every migrate. */
export function openDb(url: string, options: OpenDbOptions = {}): DbHandle {
  const sql = postgres(url, {
    max: options.max ?? 8,
    // postgres.js counts in seconds; a connection that does not get ready in time fails with CONNECT_TIMEOUT.
    connect_timeout: (options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000,
    onnotice: () => {},
    // Startup parameters: set once per session, no extra round trip.
    connection: { application_name: 'datagouv-mirror', ...(options.harvesting ? { jit: 'off', plan_cache_mode: 'force_custom_plan' } : {}) },
  });
  const db = drizzle(sql, { schema }) as Db;
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
