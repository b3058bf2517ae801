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

/** Opens a pool; notices are silenced because `IF NOT EXISTS` statements emit them on every migrate. */
export function openDb(url: string, options: { max?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: options.max ?? 8,
    onnotice: () => {},
    connection: { application_name: 'datagouv-mirror' },
  });
  const db = drizzle(sql, { schema }) as Db;
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
