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

/** Opens a pool; notices are silenced because `IF NOT EXISTS` statements emit them on every migrate. */
export function openDb(url: string, options: { max?: number; connectTimeoutMs?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: options.max ?? 8,
    // postgres.js counts in seconds; a connection that does not get ready in time fails with CONNECT_TIMEOUT.
    connect_timeout: (options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000,
    onnotice: () => {},
    connection: { application_name: 'datagouv-mirror' },
  });
  const db = drizzle(sql, { schema }) as Db;
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
