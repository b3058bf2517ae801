// Stores one fetched page of a listing in one transaction: entities, their children and links,
// changes and rejections. The only stage that opens a write transaction. Touches Postgres.
import type postgres from 'postgres';
import { deleteChange } from './fingerprint.ts';
import { insertChanges, type ChangeRow } from '../db/sql/insert-changes.ts';
import { insertRejected, type RejectedRow } from '../db/sql/insert-rejected.ts';
import { syncOrganizationMembers, syncReuseDatasets } from '../db/sql/sync-links.ts';
import { tombstoneRemovedResources } from '../db/sql/tombstone-removed-resources.ts';
import { insertUnknownUserTombstones, tombstoneEntities } from '../db/sql/tombstone-entities.ts';
import { dropOrganizationMembers, dropReuseLinks, tombstoneDatasetResources } from '../db/sql/tombstone-children.ts';
import type { SqlHandle } from '../db/sql/types.ts';
import { metricRowsOf, upsertMetricSnapshots } from '../db/sql/upsert-metric-snapshots.ts';
import { KINDS_BY_TYPE, type EntityKind, type NormalizedEntity } from './kinds/index.ts';
import { emptyStoreCounts, storeEntities, type StoreCounts } from './store-entities.ts';
import { validateRecords } from './validate.ts';

export interface PageContext {
  runId: number;
  observedAt: string;
  sourceUrl: string;
}

export interface PageResult {
  /** Counts by entity type (resources are counted apart from their datasets). */
  counts: Record<string, StoreCounts & { rejected: number; deleted: number }>;
  /** Users referenced by the stored entities. */
  userIds: string[];
}

/** Validates, normalizes and stores a page of `kind` records atomically; a redelivered page is a no-op. */
export async function storePage(
  sql: postgres.Sql,
  kind: EntityKind,
  records: unknown[],
  ctx: PageContext,
): Promise<PageResult> {
  const { entities, rejected } = validateRecords(kind, records, ctx.sourceUrl);
  return sql.begin(async (tx) => {
    const result = emptyResult();
    const changes: ChangeRow[] = [];
    const allRejected: RejectedRow[] = [...rejected];
    const stored = await storeEntities(tx, kind, entities, ctx.observedAt);
    add(result, kind.entityType, stored.counts, rejected.length, 0);
    changes.push(...stored.changes);
    if (kind.entityType === 'dataset') await storeResources(tx, entities, ctx, result, changes, allRejected);
    if (kind.entityType === 'reuse') {
      await syncReuseDatasets(tx, entities.map((e) => ({ reuse_id: e.id, dataset_ids: e.datasetIds ?? [] })));
    }
    if (kind.entityType === 'organization') {
      const members = entities.flatMap((e) =>
        (e.members ?? []).map((m) => ({ organization_id: e.id, user_id: m.userId, role: m.role, since: m.since })),
      );
      await syncOrganizationMembers(tx, entities.map((e) => e.id), members);
    }
    await insertChanges(tx, ctx.runId, ctx.observedAt, changes);
    await insertRejected(tx, ctx.runId, allRejected);
    await upsertMetricSnapshots(tx, metricRowsOf(kind.entityType, entities.map((e) => e.raw)), ctx.observedAt);
    result.userIds = [...new Set(entities.flatMap((e) => e.userIds ?? []))];
    return result;
  });
}

/** Resources of the page's datasets; those gone from a dataset are tombstoned as removed. */
async function storeResources(
  tx: SqlHandle,
  datasets: NormalizedEntity[],
  ctx: PageContext,
  result: PageResult,
  changes: ChangeRow[],
  rejected: RejectedRow[],
): Promise<void> {
  const resourceKind = KINDS_BY_TYPE.resource;
  const resources: NormalizedEntity[] = [];
  const keep: Array<{ dataset_id: string; resource_ids: string[] }> = [];
  let rejectedCount = 0;
  for (const dataset of datasets) {
    const batch = validateRecords(resourceKind, dataset.resources ?? [], ctx.sourceUrl, dataset.id);
    resources.push(...batch.entities);
    rejected.push(...batch.rejected);
    rejectedCount += batch.rejected.length;
    // A dataset with an unreadable resource is not swept: that resource may still be there.
    if (batch.rejected.length === 0) keep.push({ dataset_id: dataset.id, resource_ids: batch.entities.map((r) => r.id) });
  }
  const stored = await storeEntities(tx, resourceKind, resources, ctx.observedAt);
  changes.push(...stored.changes);
  const removed = await tombstoneRemovedResources(tx, keep, ctx.observedAt);
  for (const id of removed) changes.push({ entity_type: 'resource', entity_id: id, op: 'delete', ...deleteChange() });
  add(result, 'resource', stored.counts, rejectedCount, removed.length);
}

function emptyResult(): PageResult {
  return { counts: {}, userIds: [] };
}

function add(result: PageResult, type: string, counts: StoreCounts, rejected: number, deleted: number): void {
  const entry = (result.counts[type] ??= { ...emptyStoreCounts(), rejected: 0, deleted: 0 });
  entry.seen += counts.seen;
  entry.inserted += counts.inserted;
  entry.updated += counts.updated;
  entry.restored += counts.restored;
  entry.unchanged += counts.unchanged;
  entry.rejected += rejected;
  entry.deleted += deleted;
}

/** Records confirmed deletions of `kind` entities: a tombstone and an `op = 'delete'` change each,
 * with what follows the parent (resources, links, members). */
export async function storeTombstones(
  sql: postgres.Sql,
  kind: EntityKind,
  tombstones: Array<{ id: string; reason: string }>,
  ctx: Omit<PageContext, 'sourceUrl'>,
): Promise<{ ids: string[]; resourceIds: string[] }> {
  if (tombstones.length === 0) return { ids: [], resourceIds: [] };
  return sql.begin(async (tx) => {
    const ids = await tombstoneEntities(tx, kind.table, tombstones, ctx.observedAt);
    if (kind.entityType === 'user') await insertUnknownUserTombstones(tx, tombstones, ctx.observedAt);
    let resourceIds: string[] = [];
    if (kind.entityType === 'dataset') resourceIds = await tombstoneDatasetResources(tx, ids, ctx.observedAt);
    if (kind.entityType === 'reuse') await dropReuseLinks(tx, ids);
    if (kind.entityType === 'organization') await dropOrganizationMembers(tx, ids);
    const deletion = (entityType: string) => (id: string): ChangeRow => ({
      entity_type: entityType,
      entity_id: id,
      op: 'delete',
      ...deleteChange(),
    });
    await insertChanges(tx, ctx.runId, ctx.observedAt, [
      ...ids.map(deletion(kind.entityType)),
      ...resourceIds.map(deletion('resource')),
    ]);
    return { ids, resourceIds };
  });
}
