// Keeps the link tables (reuse_datasets, organization_members) in step with their parents. Touches Postgres.
// Deletes and inserts only the differences, so an unchanged parent writes nothing.
import type { SqlHandle } from './types.ts';

export async function syncReuseDatasets(
  tx: SqlHandle,
  links: Array<{ reuse_id: string; dataset_ids: string[] }>,
): Promise<void> {
  if (links.length === 0) return;
  const json = JSON.stringify(links);
  await tx.unsafe(
    `delete from reuse_datasets l
       using jsonb_to_recordset($1::jsonb) as k(reuse_id text, dataset_ids text[])
      where l.reuse_id = k.reuse_id and not (l.dataset_id = any(k.dataset_ids))`,
    [json],
  );
  await tx.unsafe(
    `insert into reuse_datasets (reuse_id, dataset_id)
     select k.reuse_id, unnest(k.dataset_ids) from jsonb_to_recordset($1::jsonb) as k(reuse_id text, dataset_ids text[])
     on conflict do nothing`,
    [json],
  );
}

export interface MemberRow {
  organization_id: string;
  user_id: string;
  role: string | null;
  since: string | null;
}

export async function syncOrganizationMembers(
  tx: SqlHandle,
  organizationIds: string[],
  members: MemberRow[],
): Promise<void> {
  if (organizationIds.length === 0) return;
  const json = JSON.stringify(members);
  await tx.unsafe(
    `delete from organization_members m
      where m.organization_id = any($1::text[])
        and not exists (select 1 from jsonb_to_recordset($2::jsonb) as k(organization_id text, user_id text)
                         where k.organization_id = m.organization_id and k.user_id = m.user_id)`,
    [organizationIds, json],
  );
  if (members.length === 0) return;
  await tx.unsafe(
    `insert into organization_members as m (organization_id, user_id, role, since)
     select distinct on (organization_id, user_id) organization_id, user_id, role, since
       from jsonb_to_recordset($1::jsonb) as k(organization_id text, user_id text, role text, since timestamptz)
     on conflict (organization_id, user_id) do update set role = excluded.role, since = excluded.since
       where (m.role, m.since) is distinct from (excluded.role, excluded.since)`,
    [json],
  );
}
