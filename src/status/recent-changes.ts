// The latest changes with their old → new values, for people (demo, dashboard): from the
// `field_changes` view where the database has it, else from each change's RFC 6902 patch (new values
// only). Touches Postgres.
import type postgres from 'postgres';

export interface FieldChange {
  field: string;
  /** Undefined when only the patch is known (it holds new values only) or the field was absent. */
  old?: unknown;
  new?: unknown;
  /** Whether `old` is known (field_changes) or not (patch). */
  oldKnown: boolean;
}

export interface RecentChange {
  id: number;
  runId: number;
  observedAt: string;
  entityType: string;
  entityId: string;
  op: string;
  /** The entity's title or name, as the mirror holds it now. */
  label: string | null;
  fields: FieldChange[];
}

/** Modification stamps: they change with every edit and say nothing by themselves. */
const STAMPS = new Set(['internal', 'last_modified', 'last_update', 'metadata_modified_at']);

const LABEL = `case c.entity_type
  when 'dataset' then (select title from datasets where id = c.entity_id)
  when 'organization' then (select name from organizations where id = c.entity_id)
  when 'reuse' then (select title from reuses where id = c.entity_id)
  when 'resource' then (select title from resources where id = c.entity_id)
  when 'dataservice' then (select title from dataservices where id = c.entity_id)
  when 'user' then (select slug from users where id = c.entity_id)
end`;

export async function hasRelation(sql: postgres.Sql, name: string): Promise<boolean> {
  const [row] = await sql`select to_regclass(${name}) is not null as present`;
  return Boolean(row?.present);
}

/** The latest changes (of one run, of some ops), newest first. */
export async function recentChanges(
  sql: postgres.Sql,
  options: { limit?: number; runId?: number; ops?: string[]; withFieldsOnly?: boolean; skipStampOnly?: boolean } = {},
): Promise<RecentChange[]> {
  const rows = await sql.unsafe(
    `select c.id::int as id, c.run_id::int as run_id, c.observed_at, c.entity_type, c.entity_id, c.op, c.changed_fields, c.patch, ${LABEL} as label
       from changes c
      where ($1::bigint is null or c.run_id = $1) and ($2::text[] is null or c.op = any($2))
        and (not $3 or cardinality(c.changed_fields) > 0)
        and not ($5 and c.op = 'update' and cardinality(c.changed_fields) = 0)
      order by c.id desc limit $4`,
    [options.runId ?? null, options.ops ?? null, options.withFieldsOnly ?? false, options.limit ?? 20, options.skipStampOnly ?? false],
  );
  const values = (await hasRelation(sql, 'public.field_changes')) ? await fieldValues(sql, rows.map((r) => r.id as number)) : undefined;
  return rows.map((r) => ({
    id: r.id as number,
    runId: r.run_id as number,
    observedAt: new Date(r.observed_at as string).toISOString(),
    entityType: r.entity_type as string,
    entityId: r.entity_id as string,
    op: r.op as string,
    label: (r.label as string | null) ?? null,
    fields: r.op === 'update' || r.op === 'restore' ? shown(values?.get(r.id as number) ?? fromPatch(r.changed_fields as string[], r.patch)) : [],
  }));
}

async function fieldValues(sql: postgres.Sql, ids: number[]): Promise<Map<number, FieldChange[]>> {
  const out = new Map<number, FieldChange[]>();
  if (ids.length === 0) return out;
  const rows = await sql`select change_id::int as id, field, old_value, new_value from field_changes where change_id = any(${ids}::bigint[]) order by change_id, field`;
  for (const r of rows) {
    const list = out.get(r.id as number) ?? [];
    list.push({ field: r.field as string, old: r.old_value, new: r.new_value, oldKnown: true });
    out.set(r.id as number, list);
  }
  return out;
}

/** Top-level fields a patch touches, with the new value where the patch replaces the whole field. */
function fromPatch(changedFields: string[], patch: unknown): FieldChange[] {
  const byField = new Map<string, FieldChange>();
  for (const field of changedFields) byField.set(field, { field, oldKnown: false });
  for (const op of Array.isArray(patch) ? (patch as Array<{ op?: string; path?: string; value?: unknown }>) : []) {
    const [top, ...rest] = (op.path ?? '').split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (!top) continue;
    const entry = byField.get(top) ?? { field: top, oldKnown: false };
    if (rest.length === 0 && (op.op === 'replace' || op.op === 'add')) entry.new = op.value;
    byField.set(top, entry);
  }
  return [...byField.values()];
}

/** Stamps left out when something else changed. */
function shown(fields: FieldChange[]): FieldChange[] {
  const real = fields.filter((f) => !STAMPS.has(f.field));
  return real.length > 0 ? real : fields;
}

/** Old and new as one short line each; two long strings that share a beginning show where they differ. */
export function showPair(old: unknown, next: unknown, oldKnown = true, max = 60): [string, string] {
  if (typeof old === 'string' && typeof next === 'string') {
    let common = 0;
    while (common < old.length && common < next.length && old[common] === next[common]) common++;
    const cut = Math.max(0, common - 12);
    if (cut > 8 && Math.max(old.length, next.length) > max) return [showValue(`…${old.slice(cut)}`, max), showValue(`…${next.slice(cut)}`, max)];
  }
  return [oldKnown ? showValue(old, max) : '(not stored)', showValue(next, max)];
}

/** A value as one short line: strings quoted, objects as JSON, long ones cut. */
export function showValue(value: unknown, max = 60): string {
  if (value === undefined) return '…';
  const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
