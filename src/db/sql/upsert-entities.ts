// Bulk upsert of entity rows from one JSON parameter. Touches Postgres.
// One statement per batch via jsonb_populate_recordset: no bind-parameter limit, one round trip,
// and the WHERE clause skips no-op updates so an unchanged source rewrites nothing.
import { PREPARED, type EntityTable, type SqlHandle } from './types.ts';

export interface EntityRow {
  id: string;
  raw: Record<string, unknown>;
  content_hash: string;
  raw_hash: string;
  [column: string]: unknown;
}

const statements = new Map<string, string>();

/** `touchColumns` are set to the observation time at every write (users' `fetched_at`). */
function upsertStatement(table: EntityTable, typedColumns: readonly string[], touchColumns: readonly string[]): string {
  const key = `${table}:${typedColumns.join(',')}:${touchColumns.join(',')}`;
  const cached = statements.get(key);
  if (cached) return cached;
  const extra = touchColumns;
  const copied = ['id', ...typedColumns, 'raw', 'content_hash', 'raw_hash'];
  const updated = [...typedColumns, 'raw', 'content_hash', 'raw_hash'];
  const text = `
    insert into ${table} as t (${[...copied, 'first_seen_at', 'last_changed_at', ...extra].join(', ')})
    select ${copied.join(', ')}, $2::timestamptz, $2::timestamptz${extra.map(() => ', $2::timestamptz').join('')}
      from jsonb_populate_recordset(null::${table}, $1::jsonb)
    on conflict (id) do update set
      ${[...updated, ...extra].map((c) => `${c} = excluded.${c}`).join(',\n      ')},
      last_changed_at = case
        when t.content_hash is distinct from excluded.content_hash or t.deleted_at is not null
        then excluded.last_changed_at else t.last_changed_at end,
      deleted_at = null,
      deletion_reason = null
    where t.raw_hash is distinct from excluded.raw_hash or t.deleted_at is not null
    returning id, (xmax = 0) as inserted`;
  statements.set(key, text);
  return text;
}

/** Writes the rows; returns the ids actually written, flagged when they were new. */
export async function upsertEntities(
  tx: SqlHandle,
  table: EntityTable,
  typedColumns: readonly string[],
  rows: EntityRow[],
  observedAt: string,
  touchColumns: readonly string[] = [],
): Promise<Map<string, boolean>> {
  if (rows.length === 0) return new Map();
  const written = await tx.unsafe<{ id: string; inserted: boolean }[]>(upsertStatement(table, typedColumns, touchColumns), [
    JSON.stringify(rows),
    observedAt,
  ], PREPARED);
  return new Map(written.map((row) => [row.id, row.inserted]));
}
