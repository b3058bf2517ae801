// Users: walked from the admin-only listing when the key allows, otherwise fetched one by one from
// the references the other kinds carry (owners, members). Touches HTTP and Postgres.
import pLimit from 'p-limit';
import type postgres from 'postgres';
import type { HttpClient } from '../api/http-client.ts';
import { LISTINGS, KINDS_BY_TYPE } from './kinds/index.ts';

export interface UserFetchResult {
  found: unknown[];
  gone: Array<{ id: string; reason: 'deleted' | 'not_found' }>;
}

/** Every user id the mirror's live entities reference. */
export async function referencedUserIds(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select owner_id as id from datasets where owner_id is not null and deleted_at is null
    union select owner_id from reuses where owner_id is not null and deleted_at is null
    union select m.user_id from organization_members m
      join organizations o on o.id = m.organization_id and o.deleted_at is null`;
  return rows.map((row) => row.id);
}

/** Fetches users by id, `batchSize` at a time handed to `onBatch`; 410/404 are reported as gone. */
export async function fetchUsersById(
  http: HttpClient,
  ids: string[],
  options: { concurrency: number; batchSize?: number; onBatch(batch: UserFetchResult): Promise<void> },
): Promise<void> {
  const batchSize = options.batchSize ?? 100;
  const limit = pLimit(options.concurrency);
  for (let start = 0; start < ids.length; start += batchSize) {
    const slice = ids.slice(start, start + batchSize);
    const batch: UserFetchResult = { found: [], gone: [] };
    await Promise.all(
      slice.map((id) =>
        limit(async () => {
          const res = await http.getJson(`/api/1/users/${encodeURIComponent(id)}/`, { allowStatus: [404, 410] });
          if (res.status === 410) batch.gone.push({ id, reason: 'deleted' });
          else if (res.status === 404) batch.gone.push({ id, reason: 'not_found' });
          else batch.found.push(res.body);
        }),
      ),
    );
    await options.onBatch(batch);
  }
}

export const USERS_LISTING = LISTINGS.users;
export const USER_KIND = KINDS_BY_TYPE.user;
