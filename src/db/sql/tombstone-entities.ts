// Tombstones entities whose deletion was confirmed (410 deleted, 404 not found). Touches Postgres.
import { PREPARED, type EntityTable, type SqlHandle } from './types.ts';

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
    PREPARED,
  );
  return rows.map((row) => row.id);
}

/** Entities referenced by the mirror but gone (410/404) before it ever stored them (users): a
 * tombstone row remembers the answer, so they are not asked for again at every run. */
export async function insertUnknownTombstones(
  tx: SqlHandle,
  table: EntityTable,
  tombstones: Array<{ id: string; reason: string }>,
  observedAt: string,
  touchColumns: readonly string[] = [],
): Promise<void> {
  if (tombstones.length === 0) return;
  const touched = touchColumns.map((c) => `, ${c}`).join('');
  const touchedValues = touchColumns.map(() => ', $2::timestamptz').join('');
  await tx.unsafe(
    `insert into ${table} (id, raw, content_hash, raw_hash, first_seen_at, last_changed_at${touched}, deleted_at, deletion_reason)
     select k.id, jsonb_build_object('id', k.id), '', '', $2::timestamptz, $2::timestamptz${touchedValues}, $2::timestamptz, k.reason
       from jsonb_to_recordset($1::jsonb) as k(id text, reason text)
     on conflict (id) do nothing`,
    [JSON.stringify(tombstones), observedAt],
    PREPARED,
  );
}
