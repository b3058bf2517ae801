// What the mirror holds, per kind (live and tombstoned rows), and its changes per day per kind.
// Touches Postgres.
import type postgres from 'postgres';
import { hasRelation } from './recent-changes.ts';

const TABLES = ['organizations', 'datasets', 'resources', 'reuses', 'users', 'dataservices'] as const;

export interface KindTotal {
  kind: string;
  live: number;
  deleted: number;
}

export async function kindTotals(sql: postgres.Sql): Promise<KindTotal[]> {
  const out: KindTotal[] = [];
  for (const table of TABLES) {
    if (!(await hasRelation(sql, `public.${table}`))) continue;
    const [row] = await sql.unsafe(
      `select count(*) filter (where deleted_at is null)::int as live, count(*) filter (where deleted_at is not null)::int as deleted from ${table}`,
    );
    out.push({ kind: table, live: row!.live as number, deleted: row!.deleted as number });
  }
  return out;
}

export interface DayCount {
  day: string;
  kind: string;
  changes: number;
}

/** Changes per UTC day and entity type over the last `days` days: from the `changes_per_day` rollup
 * where the database has it, else counted from `changes`. */
export async function changesPerDay(sql: postgres.Sql, days = 30): Promise<DayCount[]> {
  const rollup = await hasRelation(sql, 'public.changes_per_day');
  const rows = rollup
    ? await sql`select day::text as day, entity_type as kind, sum(changes)::int as changes from changes_per_day
                 where day > (now() at time zone 'UTC')::date - ${days}::int group by 1, 2 order by 1, 2`
    : await sql`select (observed_at at time zone 'UTC')::date::text as day, entity_type as kind, count(*)::int as changes from changes
                 where observed_at > now() - make_interval(days => ${days}::int) group by 1, 2 order by 1, 2`;
  return rows.map((r) => ({ day: r.day as string, kind: r.kind as string, changes: r.changes as number }));
}

/** Changes of one run per entity type and op. */
export async function runChangeCounts(sql: postgres.Sql, runId: number): Promise<Array<{ kind: string; op: string; n: number }>> {
  const rows = await sql`select entity_type as kind, op, count(*)::int as n from changes where run_id = ${runId} group by 1, 2 order by 1, 2`;
  return rows.map((r) => ({ kind: r.kind as string, op: r.op as string, n: r.n as number }));
}
