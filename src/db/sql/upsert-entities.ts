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

/** Writes the rows; returns the ids actually written, flagged when they were new. `rawTexts`: by id, a
 * row's raw as the API sent it (UTF-8 chunks), sent instead of its serialization. */
export async function upsertEntities(
  tx: SqlHandle,
  table: EntityTable,
  typedColumns: readonly string[],
  rows: EntityRow[],
  observedAt: string,
  touchColumns: readonly string[] = [],
  rawTexts: ReadonlyMap<string, Uint8Array[]> = new Map(),
): Promise<Map<string, boolean>> {
  if (rows.length === 0) return new Map();
  const written = await tx.unsafe<{ id: string; inserted: boolean }[]>(upsertStatement(table, typedColumns, touchColumns), [
    tx.typed(rowsParameter(rows, rawTexts) as never, JSONB),
    observedAt,
  ], PREPARED);
  return new Map(written.map((row) => [row.id, row.inserted]));
}

/** PostgreSQL's oid of jsonb: the parameter is declared so, whether it is text or bytes. */
const JSONB = 3802;

/**
 * The rows as one JSON array: a string when no row has its raw text, else UTF-8 bytes in which each raw
 * text is copied as received (the patched postgres.js writes a byte parameter as it is). A row's other
 * values are serialized as usual, `raw` left out by `JSON.stringify` as undefined and put first.
 */
export function rowsParameter(rows: EntityRow[], rawTexts: ReadonlyMap<string, Uint8Array[]>): string | Buffer {
  if (rawTexts.size === 0) return JSON.stringify(rows);
  const chunks: Uint8Array[] = [];
  rows.forEach((row, i) => {
    const text = rawTexts.get(row.id);
    if (!text) {
      chunks.push(Buffer.from(`${i ? ',' : '['}${JSON.stringify(row)}`));
      return;
    }
    const raw = row.raw;
    row.raw = undefined as never;
    let rest: string;
    try {
      rest = JSON.stringify(row);
    } finally {
      row.raw = raw;
    }
    chunks.push(Buffer.from(`${i ? ',' : '['}{"raw":`), ...text, Buffer.from(`,${rest.slice(1)}`));
  });
  chunks.push(Buffer.from(']'));
  return Buffer.concat(chunks);
}
