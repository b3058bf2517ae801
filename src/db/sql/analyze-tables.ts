// ANALYZE of the tables a first load filled. Touches Postgres.
// Autovacuum analyzes a table a minute or more after it grew; until then the planner believes the
// tables a full run just filled are nearly empty, and plans the users pass and the next run's
// statements (lookups, tombstones, the sweep) as if they were. A few hundred milliseconds at scale 1.
import type { SqlHandle } from './types.ts';

export async function analyzeTables(sql: SqlHandle, tables: readonly string[]): Promise<void> {
  const unique = [...new Set(tables)];
  if (unique.length) await sql.unsafe(`analyze ${unique.join(', ')}`);
}
