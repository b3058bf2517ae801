// Reads and locks the stored state of a batch of entities. Touches Postgres.
// Locked in id order so that two pages sharing ids (paging drift) serialize instead of deadlocking,
// and the hashes read here are still true when the upsert runs.
import { PREPARED, type EntityTable, type SqlHandle } from './types.ts';

export interface StoredState {
  id: string;
  content_hash: string;
  raw_hash: string;
  deleted: boolean;
  parent_id: string | null;
}

/** `parentColumn`: the column of a child kind holding its parent's id (a move is a change). */
export async function lockExisting(
  tx: SqlHandle,
  table: EntityTable,
  ids: string[],
  parentColumn?: string,
): Promise<Map<string, StoredState>> {
  if (ids.length === 0) return new Map();
  const parent = parentColumn ?? 'null::text';
  const rows = await tx.unsafe<StoredState[]>(
    `select id, content_hash, raw_hash, deleted_at is not null as deleted, ${parent} as parent_id
       from ${table} where id = any($1::text[]) order by id for update`,
    [ids],
    PREPARED,
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** The raw JSON (and parent) of rows whose tracked content changed, to compute their patches. */
export async function readRaw(
  tx: SqlHandle,
  table: EntityTable,
  ids: string[],
  parentColumn?: string,
): Promise<Map<string, { raw: Record<string, unknown>; parent_id: string | null }>> {
  if (ids.length === 0) return new Map();
  const parent = parentColumn ?? 'null::text';
  const rows = await tx.unsafe<{ id: string; raw: Record<string, unknown>; parent_id: string | null }[]>(
    `select id, raw, ${parent} as parent_id from ${table} where id = any($1::text[])`,
    [ids],
    PREPARED,
  );
  return new Map(rows.map((row) => [row.id, row]));
}
