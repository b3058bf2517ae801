// Tombstones the resources that left their dataset (`deletion_reason = 'removed'`). Touches Postgres.
import type { SqlHandle } from './types.ts';

/** `keep` pairs each dataset id with the resource ids it still embeds. */
export async function tombstoneRemovedResources(
  tx: SqlHandle,
  keep: Array<{ dataset_id: string; resource_ids: string[] }>,
  observedAt: string,
): Promise<string[]> {
  if (keep.length === 0) return [];
  const rows = await tx.unsafe<{ id: string }[]>(
    `update resources r set deleted_at = $2::timestamptz, deletion_reason = 'removed'
       from jsonb_to_recordset($1::jsonb) as k(dataset_id text, resource_ids text[])
      where r.dataset_id = k.dataset_id and r.deleted_at is null and not (r.id = any(k.resource_ids))
      returning r.id`,
    [JSON.stringify(keep), observedAt],
  );
  return rows.map((row) => row.id);
}
