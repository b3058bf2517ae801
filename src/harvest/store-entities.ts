// The generic store stage for one kind: compare with the mirror, upsert what differs, record changes.
// Runs inside the caller's transaction. Touches Postgres.
import { readRaw, type StoredState } from '../db/sql/lock-existing.ts';
import type { ChangeRow } from '../db/sql/insert-changes.ts';
import type { SqlHandle } from '../db/sql/types.ts';
import { upsertEntities, type EntityRow } from '../db/sql/upsert-entities.ts';
import { describeInsert, describeRestore, describeUpdate, splitStamps, type DescribedChange } from './change-values.ts';
import { canonicalBytes, hashBytes, hashCanonical } from './fingerprint.ts';
import type { EntityKind, NormalizedEntity } from './kinds/index.ts';
import { describeRecordFailure } from './record-failure.ts';
import { trackedEntity } from './tracked.ts';

export interface StoreCounts {
  seen: number;
  inserted: number;
  updated: number;
  restored: number;
  unchanged: number;
}

export const emptyStoreCounts = (): StoreCounts => ({ seen: 0, inserted: 0, updated: 0, restored: 0, unchanged: 0 });

/** The object changes are computed on: the kind's tracked fields, plus the parent of a child kind
 * under its column name (a move is a change). */
export function trackedOf(kind: EntityKind, raw: Record<string, unknown>, parentId: string | null | undefined): Record<string, unknown> {
  // The parent id takes its sorted place, so the object stays canonical (see hashCanonical).
  return trackedEntity(raw, kind, parentId && kind.parentColumn ? { key: kind.parentColumn, value: parentId } : undefined);
}

interface Prepared {
  entity: NormalizedEntity;
  row: EntityRow;
  parentId: string | null;
  /** The tracked object, computed only for rows that will be written (most rows of a re-sync are not). */
  tracked(): Record<string, unknown>;
  /** What an insert's change row needs of its tracked object, taken when it is hashed (see trackFirstSighting). */
  insert?: { text: Buffer; fields: { changed_fields: string[]; stamp_fields: string[] } };
}

function prepare(kind: EntityKind, entity: NormalizedEntity): Prepared {
  const parent = kind.parentColumn ? entity.columns[kind.parentColumn] : null;
  const parentId = typeof parent === 'string' ? parent : null;
  let tracked: Record<string, unknown> | undefined;
  const row: EntityRow = {
    id: entity.id,
    ...entity.columns,
    raw: entity.raw,
    content_hash: '',
    // The record as received, hashed by validation: "nothing moved" (see recordHash).
    raw_hash: rawHashOf(entity),
  };
  return {
    entity,
    row,
    parentId,
    tracked: () => (tracked ??= trackedOf(kind, entity.raw, parentId)),
  };
}

/** Hashes a row new to the mirror and keeps only what its insert's change row needs: its tracked
 * object's text as UTF-8 bytes (hashed as they are) and its keys split into fields and stamps. The
 * object itself is not kept: held until the page's last statement, the tracked objects were copied out
 * of the young generation with the rest of the page, then left to full collections. */
function trackFirstSighting(kind: EntityKind, p: Prepared): string {
  const tracked = trackedOf(kind, p.entity.raw, p.parentId);
  const text = canonicalBytes(tracked);
  p.insert = { text, fields: splitStamps(Object.keys(tracked)) };
  return hashBytes(text);
}

/** Entities reach the store through validation, which hashes their record. */
function rawHashOf(entity: NormalizedEntity): string {
  if (entity.rawHash === undefined) throw new Error(`entity ${entity.id} was not validated: it has no record hash`);
  return entity.rawHash;
}

/** Keys only an admin key sees come back null without it: the stored value is kept, so that a run
 * without the admin key neither erases nor records a change of them. */
async function keepAdminOnlyValues(tx: SqlHandle, kind: EntityKind, entities: NormalizedEntity[]): Promise<void> {
  if (kind.adminOnlyKeys.length === 0) return;
  const blind = entities.filter((e) => kind.adminOnlyKeys.some((key) => e.raw[key] == null));
  if (blind.length === 0) return;
  const stored = await readRaw(tx, kind.table, blind.map((e) => e.id), kind.parentColumn);
  for (const entity of blind) {
    const before = stored.get(entity.id)?.raw;
    if (!before) continue;
    const kept: Record<string, unknown> = {};
    for (const key of kind.adminOnlyKeys) if (entity.raw[key] == null && before[key] != null) kept[key] = before[key];
    // Same key order as received, so the raw hash of an unchanged entity stays the same.
    if (Object.keys(kept).length) {
      entity.raw = Object.fromEntries(Object.entries(entity.raw).map(([k, v]) => [k, k in kept ? kept[k] : v]));
      entity.rawText = undefined; // no longer the text received
    }
  }
}

/** An entity that could not be hashed, tracked or diffed: the caller rejects it, the others are stored. */
export interface FailedEntity {
  entity: NormalizedEntity;
  reason: string;
}

/** Runs `step` for each item; an item whose step throws is left out and reported in `failed`. */
function eachOrReject<T, R>(
  items: T[],
  entityOf: (item: T) => NormalizedEntity,
  step: string,
  failed: FailedEntity[],
  fn: (item: T) => R,
): Array<[T, R]> {
  const out: Array<[T, R]> = [];
  for (const item of items) {
    try {
      out.push([item, fn(item)]);
    } catch (error) {
      const entity = entityOf(item);
      failed.push({ entity, reason: describeRecordFailure(step, error, entity.raw) });
    }
  }
  return out;
}

/** Stores the entities that differ from the mirror and returns their changes. Hashing, tracking and
 * diffing are done one entity at a time before anything is written: one that fails is returned in
 * `failed` (neither written nor counted) and the rest are stored. */
export async function storeEntities(
  tx: SqlHandle,
  kind: EntityKind,
  entities: NormalizedEntity[],
  observedAt: string,
  /** The stored rows of the entities' ids, locked by the caller before validation (see storePage). */
  stored: Map<string, StoredState>,
): Promise<{ counts: StoreCounts; changes: ChangeRow[]; failed: FailedEntity[]; inserted: Set<string> }> {
  const failed: FailedEntity[] = [];
  await keepAdminOnlyValues(tx, kind, entities);
  // Id order everywhere (locks, inserts): two pages sharing ids then wait for each other instead of deadlocking.
  const prepared = eachOrReject(entities, (e) => e, 'hashing', failed, (e) => prepare(kind, e))
    .map(([, p]) => p)
    .sort((a, b) => (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
  const dropped = new Set<Prepared>();
  const toTrack = prepared.filter((p) => {
    const old = stored.get(p.row.id);
    return !old || old.deleted || old.raw_hash !== p.row.raw_hash;
  });
  const toWrite = new Set(
    eachOrReject(toTrack, (p) => p.entity, 'tracking', failed, (p) => {
      p.row.content_hash = stored.has(p.row.id) ? hashCanonical(p.tracked()) : trackFirstSighting(kind, p);
    }).map(([p]) => p),
  );
  for (const p of toTrack) if (!toWrite.has(p)) dropped.add(p);
  const contentChanged = [...toWrite].filter((p) => {
    const old = stored.get(p.row.id);
    return old && (old.deleted || old.content_hash !== p.row.content_hash);
  });
  const oldRaw = await readRaw(tx, kind.table, contentChanged.map((p) => p.row.id), kind.parentColumn);
  // Diffed before the upsert: an entity whose patch cannot be computed is not written either.
  const diffs = new Map(
    eachOrReject(contentChanged.filter((p) => oldRaw.has(p.row.id)), (p) => p.entity, 'diffing', failed, (p) => {
      const before = oldRaw.get(p.row.id)!;
      return describeUpdate(trackedOf(kind, before.raw, before.parent_id), p.tracked());
    }),
  );
  for (const p of contentChanged) if (oldRaw.has(p.row.id) && !diffs.has(p)) dropped.add(p);
  const kept = prepared.filter((p) => !dropped.has(p));
  const rows = [...toWrite].filter((p) => !dropped.has(p));
  const texts = new Map(rows.flatMap((p) => {
    const text = p.entity.rawText?.();
    return text ? [[p.row.id, text] as const] : [];
  }));
  const written = await upsertEntities(tx, kind.table, kind.columns, rows.map((p) => p.row), observedAt, kind.touchColumns, texts);
  // Rows new to the mirror: as parents, they have no stored children but those stored with them now.
  const inserted = new Set([...written].flatMap(([id, isNew]) => (isNew ? [id] : [])));
  return { ...countChanges(kind, kept, stored, written, diffs), failed, inserted };
}

/** Counts and change rows of the kept entities, from what was locked, written and diffed. */
function countChanges(
  kind: EntityKind,
  kept: Prepared[],
  stored: Map<string, StoredState>,
  written: Map<string, boolean>,
  diffs: Map<Prepared, DescribedChange>,
): { counts: StoreCounts; changes: ChangeRow[] } {
  const counts = emptyStoreCounts();
  counts.seen = kept.length;
  const changes: ChangeRow[] = [];
  for (const p of kept) {
    const inserted = written.get(p.row.id);
    const old = stored.get(p.row.id);
    if (inserted === undefined || !old) {
      if (inserted) {
        counts.inserted++;
        changes.push(insertRow(kind, p));
      } else counts.unchanged++;
      continue;
    }
    const change = diffs.get(p);
    if (!change) {
      counts.unchanged++; // volatile fields only: the row was refreshed, no change to record
      continue;
    }
    const op = old.deleted ? 'restore' : 'update';
    if (op === 'restore') counts.restored++;
    else counts.updated++;
    changes.push({ entity_type: kind.entityType, entity_id: p.row.id, op, ...(op === 'restore' ? describeRestore(change, p.tracked()) : change) });
  }
  return { counts, changes };
}

/** An insert's change row: with what was kept of its object when it was hashed (trackFirstSighting), the
 * row carries the object's text and not the object. */
function insertRow(kind: EntityKind, p: Prepared): ChangeRow {
  const base = { entity_type: kind.entityType, entity_id: p.row.id, op: 'insert' as const };
  if (p.insert === undefined) return { ...base, ...describeInsert(p.tracked()) };
  return { ...base, ...p.insert.fields, patch: [], new_values_text: p.insert.text };
}
