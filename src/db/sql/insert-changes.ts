// Appends rows to the `changes` table from one JSON parameter per entity type, with the organization
// as observed (as the page stores it, or as the entity tables say at that moment, not as it is later)
// and a deletion's reason. Runs after the page's upserts and tombstones, in their transaction. Touches Postgres.
import { PREPARED, settleInOrder, type SqlHandle } from './types.ts';

export interface ChangeRow {
  entity_type: string;
  entity_id: string;
  op: 'insert' | 'update' | 'delete' | 'restore';
  changed_fields: string[];
  patch: unknown[];
  /** Changed keys that are only modification stamps (left out of `changed_fields` by the caller). */
  stamp_fields?: string[];
  old_values?: Record<string, unknown> | null;
  new_values?: Record<string, unknown> | null;
  /** An insert's object as UTF-8 JSON text already (serialized once for its hash): sent instead of
   * `new_values`, which it may then leave unset (and `patch` empty). */
  new_values_text?: Buffer;
  /** The entity's organization as its page stores it, when the caller knows it (see `organizationOf`);
   * otherwise it is read from the entity tables. */
  organization_id?: string | null;
}

/** Where each entity type lives and how its organization is read (alias `e` is its row). A type missing
 * here is still recorded, without organization nor deletion reason: add a line with every new kind. */
export const ENTITY_LOOKUPS: Record<string, { table: string; organization: string; known?: (id: string, columns: Record<string, unknown>) => string | null }> = {
  organization: { table: 'organizations', organization: 'e.id', known: (id) => id },
  dataset: { table: 'datasets', organization: 'e.organization_id', known: (_, c) => stringOrNull(c['organization_id']) },
  resource: { table: 'resources', organization: '(select d.organization_id from datasets d where d.id = e.dataset_id)' },
  reuse: { table: 'reuses', organization: 'e.organization_id', known: (_, c) => stringOrNull(c['organization_id']) },
  dataservice: { table: 'dataservices', organization: 'e.organization_id', known: (_, c) => stringOrNull(c['organization_id']) },
  user: { table: 'users', organization: 'null::text', known: () => null },
};

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** What the lookup above reads, from an entity as its page stores it (its id and typed columns):
 * undefined for a kind whose organization is another entity's (a resource's is its dataset's). */
export function organizationOf(entityType: string, id: string, columns: Record<string, unknown>): string | null | undefined {
  return ENTITY_LOOKUPS[entityType]?.known?.(id, columns);
}

const RECORD = `jsonb_to_recordset($1::jsonb) as r(ord int, entity_type text, entity_id text, op text, changed_fields text[],
  stamp_fields text[], patch jsonb, old_values jsonb, new_values jsonb, organization_id text)`;

/** An insert's patch is the one `add` of its object: sent as that patch's text and stored once (the
 * `new_values` column stays null); a patch built here from `new_values` would cost PostgreSQL another
 * pass over every inserted object (8% of the statement). A delete's patch is the one `remove`. A delete keeps the last object the
 * mirror knew (`entity_as_of`, before this row). With `known`, every row is no deletion and carries its
 * organization: no entity table is read (the lookups cost a fifth of the statement, two index probes a resource). */
function statementFor(entityType: string, known: boolean): string {
  const lookup = known ? undefined : ENTITY_LOOKUPS[entityType];
  const join = lookup ? `left join ${lookup.table} e on e.id = r.entity_id` : '';
  const organization = known ? 'r.organization_id' : lookup ? lookup.organization : 'null::text';
  return `insert into changes (run_id, entity_type, entity_id, op, changed_fields, stamp_fields, patch, old_values,
            new_values, organization_id, deletion_reason, observed_at)
     select $2::bigint, r.entity_type, r.entity_id, r.op, r.changed_fields, r.stamp_fields,
            coalesce(r.patch, case when r.op = 'delete' then '[{"op": "remove", "path": ""}]'::jsonb end),
            case when r.op = 'delete' then entity_as_of(r.entity_type, r.entity_id, 'infinity') else r.old_values end,
            case when r.op in ('update', 'restore') then r.new_values end,
            ${organization},
            ${lookup ? `case when r.op = 'delete' then e.deletion_reason end` : 'null::text'},
            $3::timestamptz
       from ${RECORD} ${join}
      order by r.ord`;
}

const isKnown = (row: ChangeRow) => row.op !== 'delete' && row.organization_id !== undefined;

/** The row as sent, as UTF-8 JSON chunks after `separator` (`[` or `,`): an insert's object once (as its
 * patch's one `add`, its text reused when given), a delete's patch not at all. */
function serialize(row: ChangeRow, ord: number, separator: string): Buffer[] {
  const sendsObject = row.op === 'insert' && (row.new_values_text !== undefined || row.new_values != null);
  const head = JSON.stringify({
    ord,
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    op: row.op,
    changed_fields: row.changed_fields,
    stamp_fields: row.stamp_fields ?? [],
    // An insert's patch goes last, around its object's text.
    patch: sendsObject ? undefined : row.op === 'delete' ? null : row.patch,
    old_values: row.old_values ?? null,
    new_values: sendsObject || row.new_values == null ? null : row.new_values,
    organization_id: row.organization_id ?? null,
  });
  if (!sendsObject) return [Buffer.from(separator + head)];
  const object = row.new_values_text ?? Buffer.from(JSON.stringify(row.new_values));
  return [Buffer.from(`${separator}${head.slice(0, -1)},"patch":[{"op":"add","path":"","value":`), object, CLOSE_INSERT];
}

const CLOSE_INSERT = Buffer.from('}]}');
const CLOSE_ARRAY = Buffer.from(']');

/** PostgreSQL's oid of jsonb: the parameter is declared so and sent as its UTF-8 bytes. */
const JSONB = 3802;

export async function insertChanges(tx: SqlHandle, runId: number, observedAt: string, rows: ChangeRow[]): Promise<void> {
  if (rows.length === 0) return;
  // One statement per entity type, in the order the types first appear (an entity's rows keep their order);
  // a type whose rows all carry their organization and none is a deletion reads no entity table.
  // Each type's rows are one JSON array built as bytes (the patched postgres.js sends them as they are):
  // one copy of each object's text, where a joined string was a second one, and a large one.
  const byType = new Map<string, { chunks: Buffer[]; known: boolean }>();
  rows.forEach((row, i) => {
    const group = byType.get(row.entity_type) ?? { chunks: [], known: true };
    group.chunks.push(...serialize(row, i, group.chunks.length === 0 ? '[' : ','));
    group.known &&= isKnown(row);
    byType.set(row.entity_type, group);
  });
  // Every parameter is built before any statement goes out (a serialization that throws sends none);
  // then they are sent at once (one round trip) and executed in this order: the ids follow the rows'.
  const statements = [...byType].map(([entityType, group]) => ({ text: statementFor(entityType, group.known), parameter: Buffer.concat([...group.chunks, CLOSE_ARRAY]) }));
  await settleInOrder(statements.map(({ text, parameter }) => tx.unsafe(text, [tx.typed(parameter as never, JSONB), runId, observedAt], PREPARED)));
}
