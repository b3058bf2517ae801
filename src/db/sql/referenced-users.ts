// User ids the mirror's live entities reference (dataset and reuse owners, organization members). Touches Postgres.
import type { SqlHandle } from './types.ts';

/** With `onlyUnknown`, only the ids that have no row in `users` yet. */
export async function referencedUserIds(sql: SqlHandle, options: { onlyUnknown?: boolean } = {}): Promise<string[]> {
  const rows = await sql.unsafe<{ id: string }[]>(
    `select id from (
       select owner_id as id from datasets where owner_id is not null and deleted_at is null
       union select owner_id from reuses where owner_id is not null and deleted_at is null
       union select m.user_id from organization_members m
         join organizations o on o.id = m.organization_id and o.deleted_at is null
     ) r
     ${options.onlyUnknown ? 'where not exists (select 1 from users u where u.id = r.id)' : ''}
     order by id`,
  );
  return rows.map((row) => row.id);
}

/** The `limit` users fetched longest ago, for the rotation that keeps user rows fresh. */
export async function usersDueForRefresh(sql: SqlHandle, limit: number, exclude: string[]): Promise<string[]> {
  if (limit <= 0) return [];
  const rows = await sql.unsafe<{ id: string }[]>(
    `select id from users where deleted_at is null and not (id = any($2::text[]))
      order by fetched_at, id limit $1`,
    [limit, exclude],
  );
  return rows.map((row) => row.id);
}

/** Marks users as fetched now even when nothing changed (rotation order), without touching other columns. */
export async function markUsersFetched(sql: SqlHandle, ids: string[], observedAt: string): Promise<void> {
  if (ids.length) {
    await sql.unsafe(`update users set fetched_at = $2::timestamptz where id = any($1::text[]) and fetched_at < $2::timestamptz`, [
      ids,
      observedAt,
    ]);
  }
}
