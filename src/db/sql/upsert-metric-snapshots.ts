// The daily history of metrics: one row per entity and day, the day's latest values. Metrics are
// volatile, never tracked: an entity whose metrics PostgreSQL refuses (or that cannot be serialized)
// loses that day's snapshot only, never its page. Touches Postgres.
import { PREPARED, type SqlHandle } from './types.ts';

export interface MetricRow {
  entity_type: string;
  entity_id: string;
  metrics: unknown;
}

const UPSERT = `insert into metric_snapshots as s (entity_type, entity_id, day, metrics)
     select distinct on (entity_type, entity_id) entity_type, entity_id, ($2::timestamptz at time zone 'UTC')::date, metrics
       from jsonb_to_recordset($1::jsonb) as r(entity_type text, entity_id text, metrics jsonb)
     on conflict (entity_type, entity_id, day) do update set metrics = excluded.metrics
       where s.metrics is distinct from excluded.metrics`;

/** SQLSTATE classes of a value refused (22: data exception, 54: program limit): the row's fault. */
const isRefusedValue = (error: unknown) => /^(22|54)/.test(String((error as { code?: unknown } | null)?.code ?? ''));

/** Upserts the rows; returns the entities whose snapshot was refused and left out. Inside a
 * transaction each try runs under a savepoint, so a refused value aborts only that try. */
export async function upsertMetricSnapshots(tx: SqlHandle, rows: MetricRow[], observedAt: string): Promise<string[]> {
  if (rows.length === 0) return [];
  let text: string;
  try {
    text = JSON.stringify(rows);
  } catch {
    // Metrics nested too deep to serialize are left out; a batch only too long is stored in halves.
    const serializable = rows.filter((row) => isSerializable(row.metrics));
    if (serializable.length < rows.length) return upsertMetricSnapshots(tx, serializable, observedAt);
    if (rows.length === 1) return [];
    return halves(tx, rows, observedAt);
  }
  try {
    await withSavepoint(tx, (handle) => handle.unsafe(UPSERT, [text, observedAt], PREPARED));
    return [];
  } catch (error) {
    if (!isRefusedValue(error)) throw error;
    if (rows.length === 1) return [rows[0]!.entity_id];
  }
  return halves(tx, rows, observedAt);
}

async function halves(tx: SqlHandle, rows: MetricRow[], observedAt: string): Promise<string[]> {
  const half = Math.ceil(rows.length / 2);
  return [
    ...(await upsertMetricSnapshots(tx, rows.slice(0, half), observedAt)),
    ...(await upsertMetricSnapshots(tx, rows.slice(half), observedAt)),
  ];
}

async function withSavepoint<T>(tx: SqlHandle, fn: (handle: SqlHandle) => Promise<T>): Promise<T> {
  // A pool has no savepoint: each statement is its own transaction there.
  return 'savepoint' in tx ? ((await tx.savepoint((sp) => fn(sp))) as T) : fn(tx);
}

function isSerializable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

/** Metric rows of API items that carry a `metrics` object (metrics that cannot be serialized, nested
 * too deep, are left out when the rows are stored). */
export function metricRowsOf(entityType: string, items: unknown[]): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    const { id, metrics } = item as { id?: unknown; metrics?: unknown };
    if (typeof id !== 'string' || metrics === null || typeof metrics !== 'object') continue;
    rows.push({ entity_type: entityType, entity_id: id, metrics });
  }
  return rows;
}
