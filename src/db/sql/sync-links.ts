// Keeps a link table (reuse_datasets, organization_members, dataservice_datasets) in step with its
// parents: deletes and inserts only the differences, so an unchanged parent writes nothing; dropped
// with a deleted parent. Touches Postgres.
import { PREPARED, type SqlHandle } from './types.ts';

export interface LinkTable {
  table: string;
  parentColumn: string;
  keyColumn: string;
  /** Further columns with their SQL types, updated in place when they change. */
  valueColumns?: Record<string, string>;
}

/** Sets the links of each given parent to exactly its rows (by SQL column name, parent id aside). */
export async function syncLinks(
  tx: SqlHandle,
  link: LinkTable,
  parents: Array<{ id: string; rows: Array<Record<string, unknown>> }>,
): Promise<void> {
  if (parents.length === 0) return;
  const { table, parentColumn: p, keyColumn: k } = link;
  const values = Object.entries(link.valueColumns ?? {});
  const rows = parents.flatMap((parent) => parent.rows.map((row) => ({ ...row, [p]: parent.id })));
  const recordType = [`${p} text`, `${k} text`, ...values.map(([c, type]) => `${c} ${type}`)].join(', ');
  const json = JSON.stringify(rows);
  await tx.unsafe(
    `delete from ${table} l
      where l.${p} = any($1::text[])
        and not exists (select 1 from jsonb_to_recordset($2::jsonb) as r(${recordType})
                         where r.${p} = l.${p} and r.${k} = l.${k})`,
    [parents.map((parent) => parent.id), json],
    PREPARED,
  );
  if (rows.length === 0) return;
  const columns = [p, k, ...values.map(([c]) => c)];
  const update = values.length
    ? `do update set ${values.map(([c]) => `${c} = excluded.${c}`).join(', ')}
         where (${values.map(([c]) => `l.${c}`).join(', ')}) is distinct from (${values.map(([c]) => `excluded.${c}`).join(', ')})`
    : 'do nothing';
  await tx.unsafe(
    `insert into ${table} as l (${columns.join(', ')})
     select distinct on (${p}, ${k}) ${columns.join(', ')} from jsonb_to_recordset($1::jsonb) as r(${recordType})
     on conflict (${p}, ${k}) ${update}`,
    [json],
    PREPARED,
  );
}

/** Drops every link of the given parents (they were deleted). */
export async function dropLinks(tx: SqlHandle, link: LinkTable, parentIds: string[]): Promise<void> {
  if (parentIds.length) await tx.unsafe(`delete from ${link.table} where ${link.parentColumn} = any($1::text[])`, [parentIds], PREPARED);
}
