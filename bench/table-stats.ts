// Entity-table row writes from pg_stat_user_tables, read once every other session has left (PG 15 flushes a backend's counters at the latest when it exits). Touches Postgres.
import postgres from 'postgres';

export const ENTITY_TABLES = ['organizations', 'datasets', 'resources', 'reuses', 'dataservices', 'users'] as const;

export interface RowWrites {
  inserted: number;
  /** n_tup_upd: every update, HOT ones included. */
  updated: number;
  /** n_tup_hot_upd: the share of `updated` that was HOT. */
  hotUpdated: number;
}

/**
 * Call after the mirror's pool is closed: waits until no other backend is connected to the database
 * (their pending counters are flushed before they leave pg_stat_activity), then reads fresh counters.
 */
export async function entityRowWrites(url: string, timeoutMs = 10_000): Promise<RowWrites> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await sql<{ others: number }[]>`
        select count(*)::int as others from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
      if (row!.others === 0) break;
      if (Date.now() > deadline) throw new Error(`other sessions still connected to ${new URL(url).pathname.slice(1)} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await sql`select pg_stat_clear_snapshot()`;
    const [sums] = await sql<{ ins: string; upd: string; hot: string }[]>`
      select coalesce(sum(n_tup_ins), 0)::text as ins, coalesce(sum(n_tup_upd), 0)::text as upd, coalesce(sum(n_tup_hot_upd), 0)::text as hot
        from pg_stat_user_tables where schemaname = current_schema() and relname = any(${[...ENTITY_TABLES]})`;
    return { inserted: Number(sums!.ins), updated: Number(sums!.upd), hotUpdated: Number(sums!.hot) };
  } finally {
    await sql.end({ timeout: 2 });
  }
}

export function diffWrites(after: RowWrites, before: RowWrites): RowWrites {
  return { inserted: after.inserted - before.inserted, updated: after.updated - before.updated, hotUpdated: after.hotUpdated - before.hotUpdated };
}

/** Rows of `changes` a run wrote. */
export async function changesOfRun(url: string, runId: number): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from changes where run_id = ${runId}`;
    return row!.n;
  } finally {
    await sql.end({ timeout: 2 });
  }
}
