// Tombstones entities whose deletion was confirmed (410 deleted, 404 not found). Touches Postgres.
import type { EntityTable, SqlHandle } from './types.ts';

/** Sets `deleted_at`/`deletion_reason` on live rows only; returns the ids actually tombstoned. */
export async function tombstoneEntities(
  tx: SqlHandle,
  table: EntityTable,
  tombstones: Array<{ id: string; reason: string }>,
  observedAt: string,
): Promise<string[]> {
  if (tombstones.length === 0) return [];
  const rows = await tx.unsafe<{ id: string }[]>(
    `update ${table} t set deleted_at = $2::timestamptz, deletion_reason = k.reason
       from jsonb_to_recordset($1::jsonb) as k(id text, reason text)
      where t.id = k.id and t.deleted_at is null
      returning t.id`,
    [JSON.stringify(tombstones), observedAt],
  );
  return rows.map((row) => row.id);
}
