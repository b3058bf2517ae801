// The daily history of metrics: one row per entity and day, the day's latest values. Touches Postgres.
import type { SqlHandle } from './types.ts';

export interface MetricRow {
  entity_type: string;
  entity_id: string;
  metrics: unknown;
}

export async function upsertMetricSnapshots(tx: SqlHandle, rows: MetricRow[], observedAt: string): Promise<void> {
  if (rows.length === 0) return;
  await tx.unsafe(
    `insert into metric_snapshots as s (entity_type, entity_id, day, metrics)
     select distinct on (entity_type, entity_id) entity_type, entity_id, ($2::timestamptz at time zone 'UTC')::date, metrics
       from jsonb_to_recordset($1::jsonb) as r(entity_type text, entity_id text, metrics jsonb)
     on conflict (entity_type, entity_id, day) do update set metrics = excluded.metrics
       where s.metrics is distinct from excluded.metrics`,
    [JSON.stringify(rows), observedAt],
  );
}

/** Metric rows of API items that carry a `metrics` object. */
export function metricRowsOf(entityType: string, items: unknown[]): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    const { id, metrics } = item as { id?: unknown; metrics?: unknown };
    if (typeof id === 'string' && metrics !== null && typeof metrics === 'object') {
      rows.push({ entity_type: entityType, entity_id: id, metrics });
    }
  }
  return rows;
}
