// Tombstones of embedded children (a dataset's resources): those gone from their parent's item
// ('removed'), and those of a deleted parent ('dataset_deleted'). Touches Postgres.
import { PREPARED, type EntityTable, type SqlHandle } from './types.ts';

export interface ChildTable {
  table: EntityTable;
  parentColumn: string;
}

/** `keep` pairs each parent id with the child ids its item still embeds; the others are tombstoned. */
export async function tombstoneRemovedChildren(
  tx: SqlHandle,
  child: ChildTable,
  keep: Array<{ parent_id: string; child_ids: string[] }>,
  reason: string,
  observedAt: string,
): Promise<string[]> {
  if (keep.length === 0) return [];
  const rows = await tx.unsafe<{ id: string }[]>(
    `update ${child.table} c set deleted_at = $2::timestamptz, deletion_reason = $3
       from jsonb_to_recordset($1::jsonb) as k(parent_id text, child_ids text[])
      where c.${child.parentColumn} = k.parent_id and c.deleted_at is null and not (c.id = any(k.child_ids))
      returning c.id`,
    [JSON.stringify(keep), observedAt, reason],
    PREPARED,
  );
  return rows.map((row) => row.id);
}

/** Tombstones the live children of deleted parents. */
export async function tombstoneChildrenOf(
  tx: SqlHandle,
  child: ChildTable,
  parentIds: string[],
  reason: string,
  observedAt: string,
): Promise<string[]> {
  if (parentIds.length === 0) return [];
  const rows = await tx.unsafe<{ id: string }[]>(
    `update ${child.table} set deleted_at = $2::timestamptz, deletion_reason = $3
      where ${child.parentColumn} = any($1::text[]) and deleted_at is null returning id`,
    [parentIds, observedAt, reason],
    PREPARED,
  );
  return rows.map((row) => row.id);
}
