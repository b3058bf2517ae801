// Appends rows to the `changes` table from one JSON parameter. Touches Postgres.
import type { SqlHandle } from './types.ts';

export interface ChangeRow {
  entity_type: string;
  entity_id: string;
  op: 'insert' | 'update' | 'delete' | 'restore';
  changed_fields: string[];
  patch: unknown[];
}

export async function insertChanges(tx: SqlHandle, runId: number, observedAt: string, rows: ChangeRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.unsafe(
    `insert into changes (run_id, entity_type, entity_id, op, changed_fields, patch, observed_at)
     select $2::bigint, entity_type, entity_id, op, changed_fields, patch, $3::timestamptz
       from jsonb_to_recordset($1::jsonb)
         as r(entity_type text, entity_id text, op text, changed_fields text[], patch jsonb)`,
    [JSON.stringify(rows), runId, observedAt],
  );
}
