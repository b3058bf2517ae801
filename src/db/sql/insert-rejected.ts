// Stores records that failed validation, with the reason and the payload as received. Touches Postgres.
import { PREPARED, type SqlHandle } from './types.ts';

export interface RejectedRow {
  entity_type: string;
  entity_id: string | null;
  source_url: string;
  reason: string;
  payload: unknown;
}

export async function insertRejected(tx: SqlHandle, runId: number, rows: RejectedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.unsafe(
    `insert into rejected_records (run_id, entity_type, entity_id, source_url, reason, payload)
     select $2::bigint, entity_type, entity_id, source_url, reason, payload
       from jsonb_to_recordset($1::jsonb)
         as r(entity_type text, entity_id text, source_url text, reason text, payload jsonb)`,
    [JSON.stringify(rows), runId],
    PREPARED,
  );
}
