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

/** Validates, normalizes and stores a page of `kind` records atomically; a redelivered page is a no-op.
 * A value the schema let through but PostgreSQL refuses (a data exception) does not fail the page:
 * the page is stored in halves until the one record at fault is isolated and rejected. */
export async function storePage(
  sql: postgres.Sql,
  kind: EntityKind,
  records: unknown[],
  ctx: PageContext,
): Promise<PageResult> {
  try {
    return await storePageOnce(sql, kind, records, ctx);
  } catch (error) {
    if (!isDataException(error)) throw error;
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

/** SQLSTATE class 22 (data exception: out-of-range number or date, bad encoding) and 54 (too large). */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}

async function rejectByDatabase(sql: postgres.Sql, kind: EntityKind, record: unknown, ctx: PageContext, error: unknown): Promise<PageResult> {
  const id = (record as { id?: unknown } | null)?.id;
  const row: RejectedRow = {
    entity_type: kind.entityType,
    entity_id: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
    source_url: ctx.sourceUrl,
    reason: `PostgreSQL refused a value: ${error instanceof Error ? error.message : String(error)}`,
    payload: record ?? null,
  };
  try {
    await insertRejected(sql, ctx.runId, [row]);
  } catch {
    await insertRejected(sql, ctx.runId, [{ ...row, payload: null }]); // the payload itself is what PostgreSQL refuses
  }
  const result = emptyResult();
  add(result, kind.entityType, { seen: 0, inserted: 0, updated: 0, restored: 0, unchanged: 0 }, 1, 0);
  return result;
}

async function storePageOnce(sql: postgres.Sql, kind: EntityKind, records: unknown[], ctx: PageContext): Promise<PageResult> {
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
  // One row per id, even if a page repeats a resource under two datasets (the last one wins).
  const unique = [...new Map(resources.map((r) => [r.id, r])).values()];
  const stored = await storeEntities(tx, resourceKind, unique, ctx.observedAt);
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
