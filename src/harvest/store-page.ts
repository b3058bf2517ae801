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
import { describePostgresError, describeRecordFailure, isRecordFault } from './record-failure.ts';
import { emptyStoreCounts, storeEntities, type FailedEntity, type StoreCounts } from './store-entities.ts';
import { rejectedRow, validateRecords, type ValidatedBatch } from './validate.ts';

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

/** Validates, normalizes and stores a page of `kind` records atomically; a redelivered page is a no-op.
 * A value the schema let through but PostgreSQL refuses (a data exception), or a batch JSON.stringify
 * cannot serialize (a RangeError: too deep, too long), does not fail the page: the page is stored in
 * halves until the one record at fault is isolated and rejected. */
export async function storePage(
  sql: postgres.Sql,
  kind: EntityKind,
  records: unknown[],
  ctx: PageContext,
): Promise<PageResult> {
  try {
    return await storePageOnce(sql, kind, records, ctx);
  } catch (error) {
    if (!isRecordFault(error)) throw error;
    if (records.length <= 1) return rejectByDatabase(sql, kind, records[0], ctx, error);
    const half = Math.ceil(records.length / 2);
    const parts = [await storePage(sql, kind, records.slice(0, half), ctx), await storePage(sql, kind, records.slice(half), ctx)];
    const merged = emptyResult();
    for (const part of parts) {
      for (const [type, counts] of Object.entries(part.counts)) add(merged, type, counts, counts.rejected, counts.deleted);
      merged.userIds.push(...part.userIds);
    }
    merged.userIds = [...new Set(merged.userIds)];
    return merged;
  }
}

async function rejectByDatabase(sql: postgres.Sql, kind: EntityKind, record: unknown, ctx: PageContext, error: unknown): Promise<PageResult> {
  const reason =
    error instanceof RangeError
      ? describeRecordFailure('storing', error, record)
      : `PostgreSQL refused a value: ${describePostgresError(error)}`;
  const row = rejectedRow(kind, record, ctx.sourceUrl, reason);
  try {
    await insertRejected(sql, ctx.runId, [row]);
  } catch (insertError) {
    if (!isRecordFault(insertError)) throw insertError;
    await insertRejected(sql, ctx.runId, [{ ...row, payload: null }]); // the payload itself is what PostgreSQL refuses
  }
  const result = emptyResult();
  add(result, kind.entityType, { seen: 0, inserted: 0, updated: 0, restored: 0, unchanged: 0 }, 1, 0);
  return result;
}

async function storePageOnce(sql: postgres.Sql, kind: EntityKind, records: unknown[], ctx: PageContext): Promise<PageResult> {
  const batch = validateRecords(kind, records, ctx.sourceUrl);
  return sql.begin(async (tx) => {
    const result = emptyResult();
    const changes: ChangeRow[] = [];
    const allRejected: RejectedRow[] = [...batch.rejected];
    const stored = await storeEntities(tx, kind, batch.entities, ctx.observedAt);
    const failed = rejectionsOf(kind, stored.failed, batch, ctx.sourceUrl);
    allRejected.push(...failed);
    // An entity that could not be stored takes nothing with it: no resources, links nor metrics.
    const rejectedIds = new Set(stored.failed.map((f) => f.entity.id));
    const entities = batch.entities.filter((e) => !rejectedIds.has(e.id));
    add(result, kind.entityType, stored.counts, batch.rejected.length + failed.length, 0);
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

/** Rejection rows of entities that failed after validation, with their records as received. */
function rejectionsOf(kind: EntityKind, failed: FailedEntity[], batch: ValidatedBatch, sourceUrl: string): RejectedRow[] {
  return failed.map((f) => rejectedRow(kind, batch.payloads.get(f.entity.id) ?? f.entity.raw, sourceUrl, f.reason));
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
  const byDataset: Array<{ datasetId: string; batch: ValidatedBatch }> = [];
  for (const dataset of datasets) {
    byDataset.push({ datasetId: dataset.id, batch: validateRecords(resourceKind, dataset.resources ?? [], ctx.sourceUrl, dataset.id) });
  }
  // One row per id, even if a page repeats a resource under two datasets (the last one wins).
  const unique = new Map(byDataset.flatMap(({ batch }) => batch.entities.map((r) => [r.id, r] as const)));
  const stored = await storeEntities(tx, resourceKind, [...unique.values()], ctx.observedAt);
  const failedIds = new Set(stored.failed.map((f) => f.entity.id));
  let rejectedCount = 0;
  const keep: Array<{ dataset_id: string; resource_ids: string[] }> = [];
  for (const { datasetId, batch } of byDataset) {
    const failed = rejectionsOf(resourceKind, stored.failed.filter((f) => f.entity.columns.dataset_id === datasetId), batch, ctx.sourceUrl);
    rejected.push(...batch.rejected, ...failed);
    rejectedCount += batch.rejected.length + failed.length;
    // A dataset with an unreadable resource is not swept: that resource may still be there.
    if (batch.rejected.length === 0 && !batch.entities.some((r) => failedIds.has(r.id))) {
      keep.push({ dataset_id: datasetId, resource_ids: batch.entities.map((r) => r.id) });
    }
  }
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
