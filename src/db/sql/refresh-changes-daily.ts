// Adds the changes written since the last refresh to the daily rollup (`refresh_changes_daily()`,
// migrations 0006 and 0009): run when a run closes, idempotent, safe beside writers and other
// refreshes. Touches Postgres.
import { sql } from 'drizzle-orm';
import type { Db } from '../client.ts';

/** Returns the UTC days counted (none when every change was already counted). */
export async function refreshChangesDaily(db: Pick<Db, 'execute'>): Promise<string[]> {
  const rows = await db.execute<{ day: string }>(sql`select day::text as day from refresh_changes_daily() as day`);
  return [...rows].map((row) => row.day);
}
