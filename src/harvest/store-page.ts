// Stores one fetched page of a listing in one transaction: entities, their children and links,
// changes and rejections. The only stage that opens a write transaction. Touches Postgres.
import type postgres from 'postgres';
import { deleteChange } from './fingerprint.ts';
import { insertChanges, organizationOf, type ChangeRow } from '../db/sql/insert-changes.ts';
import { insertRejected, type RejectedRow } from '../db/sql/insert-rejected.ts';
import { lockExisting } from '../db/sql/lock-existing.ts';
import { dropLinks, syncLinks } from '../db/sql/sync-links.ts';
import { insertUnknownTombstones, tombstoneEntities } from '../db/sql/tombstone-entities.ts';
import { tombstoneChildrenOf, tombstoneRemovedChildren } from '../db/sql/tombstone-children.ts';
import { settleInOrder, type SqlHandle } from '../db/sql/types.ts';
import { metricRowsOf, upsertMetricSnapshots } from '../db/sql/upsert-metric-snapshots.ts';
import type { ChildSpec, EntityKind, NormalizedEntity } from './kinds/index.ts';
import type { LinkRow } from './kinds/kind.ts';
import { describePostgresError, describeRecordFailure, isRecordFault } from './record-failure.ts';
import { emptyStoreCounts, storeEntities, type FailedEntity, type StoreCounts } from './store-entities.ts';
import { recordIds, rejectedRow, validateRecords, type ValidatedBatch } from './validate.ts';

export interface PageContext {
  runId: number;
  observedAt: string;
  sourceUrl: string;
  /** Links the items do not embed, read beforehand (a dataservice's datasets), by parent id and link
   * table; a parent missing here keeps the links it has. */
  fetchedLinks?: Map<string, Record<string, LinkRow[]>>;
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
  return sql.begin(async (tx) => {
    // Locked before validation: a record equal to its stored row is not validated again.
    const locked = await lockExisting(tx, kind.table, recordIds(records), kind.parentColumn);
    const batch = validateRecords(kind, records, ctx.sourceUrl, undefined, locked);
    const result = emptyResult();
    const changes: ChangeRow[] = [];
    const allRejected: RejectedRow[] = [...batch.rejected];
    const stored = await storeEntities(tx, kind, batch.entities, ctx.observedAt, locked);
    const failed = rejectionsOf(kind, stored.failed, batch, ctx.sourceUrl);
    allRejected.push(...failed);
    // An entity that could not be stored takes nothing with it: no resources, links nor metrics.
    const rejectedIds = new Set(stored.failed.map((f) => f.entity.id));
    const entities = batch.entities.filter((e) => !rejectedIds.has(e.id));
    add(result, kind.entityType, stored.counts, batch.rejected.length + failed.length, 0);
    // Each entity's organization as this page stores it (its children's is the same).
    const organizations = new Map(entities.map((e) => [e.id, organizationOf(kind.entityType, e.id, e.columns)]));
    changes.push(...withOrganizations(stored.changes, (id) => organizations.get(id)));
    for (const child of kind.children) await storeChildren(tx, child, entities, organizations, stored.inserted, ctx, result, changes, allRejected);
    for (const link of kind.links) {
      const parents = entities.flatMap((e) => {
        const rows = link.fetched ? ctx.fetchedLinks?.get(e.id)?.[link.table] : (e.links?.[link.table] ?? []);
        return rows ? [{ id: e.id, rows }] : [];
      });
      await syncLinks(tx, link, parents);
    }
    // The page's last statements do not depend on one another: sent at once, they take one round trip
    // (executed in this order all the same).
    await settleInOrder([
      insertChanges(tx, ctx.runId, ctx.observedAt, changes),
      insertRejected(tx, ctx.runId, allRejected),
      upsertMetricSnapshots(tx, metricRowsOf(kind.entityType, entities.map((e) => e.raw)), ctx.observedAt),
    ]);
    result.userIds = [...new Set(entities.flatMap((e) => e.userIds ?? []))];
    return result;
  });
}

/** Rejection rows of entities that failed after validation, with their records as received. */
function rejectionsOf(kind: EntityKind, failed: FailedEntity[], batch: ValidatedBatch, sourceUrl: string): RejectedRow[] {
  return failed.map((f) => rejectedRow(kind, batch.payloads.get(f.entity.id) ?? f.entity.raw, sourceUrl, f.reason));
}

/** The embedded children of the page's parents; those gone from a parent are tombstoned as removed.
 * Parents `inserted` by this page are not swept: their only stored children are the ones just stored
 * with them, so a first load spends no statement on it (it was a scan of the children's table per
 * page while the statistics still called it empty). */
async function storeChildren(
  tx: SqlHandle,
  child: ChildSpec,
  parents: NormalizedEntity[],
  organizations: ReadonlyMap<string, string | null | undefined>,
  inserted: ReadonlySet<string>,
  ctx: PageContext,
  result: PageResult,
  changes: ChangeRow[],
  rejected: RejectedRow[],
): Promise<void> {
  const childKind = child.kind;
  const records = (parent: NormalizedEntity) => parent.children?.[child.field] ?? [];
  const locked = await lockExisting(tx, childKind.table, recordIds(parents.flatMap(records)), childKind.parentColumn);
  const byDataset: Array<{ datasetId: string; batch: ValidatedBatch }> = [];
  for (const parent of parents) {
    byDataset.push({ datasetId: parent.id, batch: validateRecords(childKind, records(parent), ctx.sourceUrl, parent.id, locked) });
  }
  // One row per id, even if a page repeats a resource under two datasets (the last one wins).
  const unique = new Map(byDataset.flatMap(({ batch }) => batch.entities.map((r) => [r.id, r] as const)));
  const stored = await storeEntities(tx, childKind, [...unique.values()], ctx.observedAt, locked);
  const failedIds = new Set(stored.failed.map((f) => f.entity.id));
  let rejectedCount = 0;
  const keep: Array<{ parent_id: string; child_ids: string[] }> = [];
  for (const { datasetId, batch } of byDataset) {
    const failed = rejectionsOf(childKind, stored.failed.filter((f) => f.entity.columns[child.parentColumn] === datasetId), batch, ctx.sourceUrl);
    rejected.push(...batch.rejected, ...failed);
    rejectedCount += batch.rejected.length + failed.length;
    // A parent with an unreadable child is not swept: that child may still be there.
    if (!inserted.has(datasetId) && batch.rejected.length === 0 && !batch.entities.some((r) => failedIds.has(r.id))) {
      keep.push({ parent_id: datasetId, child_ids: batch.entities.map((r) => r.id) });
    }
  }
  changes.push(...withOrganizations(stored.changes, (id) => {
    const parent = unique.get(id)?.columns[child.parentColumn];
    return typeof parent === 'string' ? organizations.get(parent) : undefined;
  }));
  const table = { table: childKind.table, parentColumn: child.parentColumn };
  const removed = await tombstoneRemovedChildren(tx, table, keep, child.removalReason, ctx.observedAt);
  for (const id of removed) changes.push({ entity_type: childKind.entityType, entity_id: id, op: 'delete', ...deleteChange() });
  add(result, childKind.entityType, stored.counts, rejectedCount, removed.length);
}

/** The change rows with the organization of their entity, where it is known (else the insert reads it). */
function withOrganizations(rows: ChangeRow[], organizationOfId: (id: string) => string | null | undefined): ChangeRow[] {
  for (const row of rows) {
    const organization = organizationOfId(row.entity_id);
    if (organization !== undefined) row.organization_id = organization;
  }
  return rows;
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
): Promise<{ ids: string[]; children: Record<string, string[]> }> {
  if (tombstones.length === 0) return { ids: [], children: {} };
  return sql.begin(async (tx) => {
    const ids = await tombstoneEntities(tx, kind.table, tombstones, ctx.observedAt);
    if (kind.tombstonesUnknown) await insertUnknownTombstones(tx, kind.table, tombstones, ctx.observedAt, kind.touchColumns);
    const deletion = (entityType: string) => (id: string): ChangeRow => ({
      entity_type: entityType,
      entity_id: id,
      op: 'delete',
      ...deleteChange(),
    });
    const changes = ids.map(deletion(kind.entityType));
    const children: Record<string, string[]> = {};
    for (const child of kind.children) {
      const table = { table: child.kind.table, parentColumn: child.parentColumn };
      const gone = await tombstoneChildrenOf(tx, table, ids, child.cascadeReason, ctx.observedAt);
      children[child.kind.entityType] = gone;
      changes.push(...gone.map(deletion(child.kind.entityType)));
    }
    for (const link of kind.links) await dropLinks(tx, link, ids);
    await insertChanges(tx, ctx.runId, ctx.observedAt, changes);
    return { ids, children };
  });
}
