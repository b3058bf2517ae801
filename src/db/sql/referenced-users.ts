// User ids the mirror's live entities reference (owners, members: as the kinds declare), and the rotation of known users. Touches Postgres.
import { PREPARED, type SqlHandle } from './types.ts';

/** Where live entities reference users: a column of an entity table, or of a link table whose parent
 * (an entity table) must be live. */
export interface UserReference {
  table: string;
  column: string;
  parent?: { table: string; column: string };
}

/** User ids the live entities reference; with `onlyUnknown`, only those without a row in `users`. */
export async function referencedUserIds(sql: SqlHandle, references: UserReference[], options: { onlyUnknown?: boolean } = {}): Promise<string[]> {
  if (references.length === 0) return [];
  const selects = references.map((r) =>
    r.parent
      ? `select l.${r.column} as id from ${r.table} l join ${r.parent.table} p on p.id = l.${r.parent.column} and p.deleted_at is null`
      : `select ${r.column} as id from ${r.table} where ${r.column} is not null and deleted_at is null`,
  );
  const rows = await sql.unsafe<{ id: string }[]>(
    `select id from (${selects.join(' union ')}) r
     ${options.onlyUnknown ? 'where not exists (select 1 from users u where u.id = r.id)' : ''}
     order by id`,
  );
  return rows.map((row) => row.id);
}

/** The users fetched longest ago, for the rotation that keeps user rows fresh: `limit` of them, or
 * without it a share of the live users, so that each is refreshed once per `refreshDays` runs. */
export async function usersDueForRefresh(
  sql: SqlHandle,
  rotation: { limit?: number; refreshDays: number },
  exclude: string[],
): Promise<string[]> {
  if (rotation.limit !== undefined && rotation.limit <= 0) return [];
  const limit = rotation.limit ?? null;
  const rows = await sql.unsafe<{ id: string }[]>(
    `select id from users where deleted_at is null and not (id = any($2::text[]))
      order by fetched_at, id
      limit coalesce($1::int, (select ceil(count(*)::numeric / $3::int)::int from users where deleted_at is null))`,
    [limit, exclude, rotation.refreshDays],
    PREPARED,
  );
  return rows.map((row) => row.id);
}

/** Marks users as fetched now even when nothing changed (rotation order), without touching other columns. */
export async function markUsersFetched(sql: SqlHandle, ids: string[], observedAt: string): Promise<void> {
  if (ids.length) {
    await sql.unsafe(`update users set fetched_at = $2::timestamptz where id = any($1::text[]) and fetched_at < $2::timestamptz`, [ids, observedAt], PREPARED);
  }
}
