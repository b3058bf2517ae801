// The manifest comparison and the deletion candidates, in SQL: a manifest page's stamps are compared
// with the typed stamp columns (PostgreSQL parses both sides alike), and the candidates are the live
// rows a complete walk did not record in run_seen_ids (an anti-join). Touches Postgres.
import { PREPARED, type EntityTable, type SqlHandle } from './types.ts';

/** Of the manifest items (`id` and stamp columns by SQL name), those to fetch in full: unknown,
 * tombstoned, or whose stamps differ from the row's. Without stamp columns only the first two. */
export async function idsToFetch(
  sql: SqlHandle,
  table: EntityTable,
  stampColumns: readonly string[],
  items: Array<Record<string, unknown>>,
): Promise<string[]> {
  if (items.length === 0) return [];
  const moved = stampColumns.length
    ? ` or (${stampColumns.map((c) => `t.${c}`).join(', ')}) is distinct from (${stampColumns.map((c) => `m.${c}`).join(', ')})`
    : '';
  const rows = await sql.unsafe<{ id: string }[]>(
    `select distinct m.id from jsonb_populate_recordset(null::${table}, $1::jsonb) m
       left join ${table} t on t.id = m.id
      where t.id is null or t.deleted_at is not null${moved}`,
    [JSON.stringify(items)],
    PREPARED,
  );
  return rows.map((row) => row.id);
}

/** Records ids a walk of `kind` saw in run `runId`; returns how many were new to the run. */
export async function recordSeen(sql: SqlHandle, runId: number, kind: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await sql.unsafe(
    `insert into run_seen_ids (run_id, kind, id) select $1, $2, unnest($3::text[]) on conflict do nothing returning 1`,
    [runId, kind, ids],
    PREPARED,
  );
  return rows.length;
}

/** Distinct ids the walks of `kind` recorded in run `runId`. */
export async function countSeen(sql: SqlHandle, runId: number, kind: string): Promise<number> {
  const [row] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from run_seen_ids where run_id = $1 and kind = $2`, [runId, kind], PREPARED);
  return row?.n ?? 0;
}

export interface ListedScope {
  /** SQL predicate of the live rows the listing hides (archived datasets): never candidates. */
  hidden?: string;
  /** A re-harvest's scope: the column and the organization id. */
  scope?: { column: string; value: string };
}

/** Live rows the listing should have shown but the run's walks did not record: deletion candidates. */
export async function unseenLiveIds(sql: SqlHandle, table: EntityTable, runId: number, kind: string, listed: ListedScope): Promise<string[]> {
  const hidden = listed.hidden ? `and not (${listed.hidden})` : '';
  const scope = listed.scope ? `and t.${listed.scope.column} = $3` : '';
  // EXCEPT, not NOT EXISTS: right after a first load the statistics still say both tables are nearly
  // empty, and the anti-join was planned as a nested loop rescanning the run's ids for every row
  // (3.9 s for 7,500 datasets); a set difference is hashed or sorted, linear whatever the estimates.
  const rows = await sql.unsafe<{ id: string }[]>(
    `select id from (
        select t.id from ${table} t where t.deleted_at is null ${hidden} ${scope}
        except
        select s.id from run_seen_ids s where s.run_id = $1 and s.kind = $2
      ) unseen
      order by id`,
    listed.scope ? [runId, kind, listed.scope.value] : [runId, kind],
    PREPARED,
  );
  return rows.map((row) => row.id);
}

/** Live rows of the table the listing shows (and those of the scope): the sweep cap's denominators. */
export async function countListedLive(sql: SqlHandle, table: EntityTable, listed: ListedScope): Promise<{ table: number; scope: number }> {
  const hidden = listed.hidden ? `and not (${listed.hidden})` : '';
  const scope = listed.scope ? `count(*) filter (where ${listed.scope.column} = $1)::int` : 'count(*)::int';
  const [row] = await sql.unsafe<{ total: number; scoped: number }[]>(
    `select count(*)::int as total, ${scope} as scoped from ${table} where deleted_at is null ${hidden}`,
    listed.scope ? [listed.scope.value] : [],
    PREPARED,
  );
  return { table: row?.total ?? 0, scope: row?.scoped ?? 0 };
}
