// Reads the stored stamps of a whole table for the manifest comparison. Touches Postgres.
// Only the few JSON paths are read, never the whole raw, so a 75k-row table costs little.
import type { EntityTable, SqlHandle } from './types.ts';

export interface StoredStamp {
  id: string;
  deleted: boolean;
  values: Array<string | null>;
}

export async function readStamps(
  sql: SqlHandle,
  table: EntityTable,
  stampPaths: string[][],
  scope?: { organizationId: string },
): Promise<StoredStamp[]> {
  const paths = stampPaths.map((path) => `raw #>> '{${path.join(',')}}'`);
  const values = paths.length ? `array[${paths.join(', ')}]` : `array[]::text[]`;
  const where = scope ? `where organization_id = $1` : '';
  return sql.unsafe<StoredStamp[]>(
    `select id, deleted_at is not null as deleted, ${values} as values from ${table} ${where}`,
    scope ? [scope.organizationId] : [],
  );
}

/** Ids of live rows that a listing should show: candidates for deletion when the listing does not.
 * Archived datasets are left out: the datasets listing hides them while they are alive. */
export async function readListedLiveIds(
  sql: SqlHandle,
  table: EntityTable,
  scope?: { organizationId: string },
): Promise<string[]> {
  const archived = table === 'datasets' ? 'and archived_at is null' : '';
  const where = scope ? `and organization_id = $1` : '';
  const rows = await sql.unsafe<{ id: string }[]>(
    `select id from ${table} where deleted_at is null ${archived} ${where}`,
    scope ? [scope.organizationId] : [],
  );
  return rows.map((row) => row.id);
}

/** Live rows of the whole table: the denominator of the sweep cap, scoped sweeps included. */
export async function countListedLive(sql: SqlHandle, table: EntityTable): Promise<number> {
  const archived = table === 'datasets' ? 'and archived_at is null' : '';
  const [row] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table} where deleted_at is null ${archived}`);
  return row?.n ?? 0;
}
