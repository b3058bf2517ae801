// Reads `changes` rows for the `changes` command: filters on the indexed columns, the latest N in
// id order, or every match through a cursor (a full sync's inserts never sit in memory at once).
// Touches Postgres.
import type postgres from 'postgres';

export interface ChangeRecord {
  id: string;
  run_id: string;
  /** ISO 8601 in UTC, to the millisecond (the precision observations are stamped with). */
  observed_at: string;
  entity_type: string;
  entity_id: string;
  organization_id: string | null;
  op: 'insert' | 'update' | 'delete' | 'restore';
  changed_fields: string[];
  stamp_fields: string[];
  old_values: Record<string, unknown> | null;
  new_values: Record<string, unknown> | null;
  deletion_reason: string | null;
}

export interface ChangeSelection {
  since?: Date;
  until?: { at: Date; inclusive: boolean };
  kind?: string;
  id?: string;
  organization?: string;
  field?: string;
  op?: string;
  /** Updates of stamps only are left out unless true (or the field asked for is a stamp). */
  stamps: boolean;
  limit?: number;
}

const COLUMNS = `id::text, run_id::text, to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as observed_at, entity_type, entity_id, organization_id, op, changed_fields,
  stamp_fields, old_values, case when op = 'insert' then patch -> 0 -> 'value' else new_values end as new_values, deletion_reason`;

/** The WHERE clause and its parameters. */
function where(s: ChangeSelection): { text: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (s.since) clauses.push(`observed_at >= ${param(s.since.toISOString())}::timestamptz`);
  if (s.until) clauses.push(`observed_at ${s.until.inclusive ? '<=' : '<'} ${param(s.until.at.toISOString())}::timestamptz`);
  if (s.kind) clauses.push(`entity_type = ${param(s.kind)}`);
  if (s.id) clauses.push(`entity_id = ${param(s.id)}`);
  if (s.organization) clauses.push(`organization_id = ${param(s.organization)}`);
  if (s.op) clauses.push(`op = ${param(s.op)}`);
  if (s.field) {
    // The GIN index on changed_fields covers updates and restores, which are the only rows with fields of their own.
    const field = param([s.field]);
    clauses.push(`op in ('update', 'restore') and (changed_fields @> ${field}::text[] or stamp_fields @> ${field}::text[])`);
  } else if (!s.stamps) {
    clauses.push(`not (op = 'update' and cardinality(changed_fields) = 0)`);
  }
  return { text: clauses.length ? `where ${clauses.join(' and ')}` : '', params };
}

/** The matching rows in id order: the latest `limit` of them, or all of them in batches to `each`. */
export async function selectChanges(
  sql: postgres.Sql,
  s: ChangeSelection,
  each: (rows: ChangeRecord[]) => void | Promise<void>,
): Promise<number> {
  const { text, params } = where(s);
  if (s.limit !== undefined) {
    const rows = await sql.unsafe<ChangeRecord[]>(
      `select * from (select ${COLUMNS} from changes ${text} order by changes.id desc limit ${Number(s.limit)}) latest order by id::bigint`,
      params as postgres.ParameterOrJSON<never>[],
    );
    if (rows.length) await each([...rows]);
    return rows.length;
  }
  let count = 0;
  const cursor = sql.unsafe<ChangeRecord[]>(`select ${COLUMNS} from changes ${text} order by changes.id`, params as postgres.ParameterOrJSON<never>[]).cursor(500);
  for await (const rows of cursor) {
    count += rows.length;
    await each(rows);
  }
  return count;
}
