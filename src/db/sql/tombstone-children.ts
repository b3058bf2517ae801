// What follows a parent's tombstone: its resources are tombstoned ('dataset_deleted'), its links and
// memberships are dropped (those tables hold current links only). Touches Postgres.
import type { SqlHandle } from './types.ts';

export async function tombstoneDatasetResources(tx: SqlHandle, datasetIds: string[], observedAt: string): Promise<string[]> {
  if (datasetIds.length === 0) return [];
  const rows = await tx.unsafe<{ id: string }[]>(
    `update resources set deleted_at = $2::timestamptz, deletion_reason = 'dataset_deleted'
      where dataset_id = any($1::text[]) and deleted_at is null returning id`,
    [datasetIds, observedAt],
  );
  return rows.map((row) => row.id);
}

export async function dropReuseLinks(tx: SqlHandle, reuseIds: string[]): Promise<void> {
  if (reuseIds.length) await tx.unsafe(`delete from reuse_datasets where reuse_id = any($1::text[])`, [reuseIds]);
}

export async function dropOrganizationMembers(tx: SqlHandle, organizationIds: string[]): Promise<void> {
  if (organizationIds.length) {
    await tx.unsafe(`delete from organization_members where organization_id = any($1::text[])`, [organizationIds]);
  }
}
