// ANALYZE of the tables a first load filled. Touches Postgres.
// Autovacuum analyzes a table a minute or more after it grew; until then the planner believes the
// tables a full run just filled are nearly empty, and plans the next statements (lookups, tombstones,
// the sweep) as if they were. Only the columns the mirror's statements look rows up by are analyzed:
// those of an index, and the tombstone and archive stamps. Sorting the sample of every other text
// column under the database's collation was two thirds of the time (resources at scale 0.1: 0.45 s for
// all columns, 0.17 s for these); autovacuum analyzes them later.
import type { SqlHandle } from './types.ts';

export async function analyzeTables(sql: SqlHandle, tables: readonly string[]): Promise<void> {
  const unique = [...new Set(tables)];
  if (unique.length === 0) return;
  const looked = await sql.unsafe<{ name: string; columns: string[] }[]>(
    `select quote_ident(c.relname) as name, array_agg(quote_ident(a.attname) order by a.attnum) as columns
       from pg_class c join pg_attribute a on a.attrelid = c.oid
      where c.relnamespace = 'public'::regnamespace and c.relname = any($1::text[]) and a.attnum > 0 and not a.attisdropped
        and (a.attname in ('deleted_at', 'archived_at') or exists (select 1 from pg_index i where i.indrelid = c.oid and a.attnum = any(i.indkey)))
      group by c.relname order by c.relname`,
    [unique],
  );
  if (looked.length) await sql.unsafe(`analyze ${looked.map((t) => `${t.name} (${t.columns.join(', ')})`).join(', ')}`);
}
