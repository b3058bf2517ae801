// Validation and normalization of one page of records: valid ones become entities, the rest rejections. Pure.
import type { z } from 'zod';
import { describeNulKeyCollision, nulKeyCollisionOf } from '../api/nul-characters.ts';
import type { RejectedRow } from '../db/sql/insert-rejected.ts';
import type { StoredState } from '../db/sql/lock-existing.ts';
import { rawTextOf } from '../api/record-spans.ts';
import { recordHash } from './fingerprint.ts';
import type { EntityKind, NormalizedEntity } from './kinds/index.ts';
import { describeRecordFailure, storablePayload } from './record-failure.ts';

export interface ValidatedBatch {
  entities: NormalizedEntity[];
  rejected: RejectedRow[];
  /** Each entity's record as received, by id, for a rejection at a later step. */
  payloads: Map<string, unknown>;
}

/** Each record on its own: a NUL key collision, a record too deep to hash, a schema failure or a
 * normalizer that throws rejects that record only. A record whose hash equals the live stored row's
 * (`known`, locked by the caller) is the record stored before, byte for byte: it is normalized without
 * being validated again (an unchanged re-sync spends no schema check). */
export function validateRecords(
  kind: EntityKind,
  records: unknown[],
  sourceUrl: string,
  parentId?: string,
  known?: ReadonlyMap<string, StoredState>,
): ValidatedBatch {
  const byId = new Map<string, NormalizedEntity>();
  const payloads = new Map<string, unknown>();
  const rejected: RejectedRow[] = [];
  const reject = (record: unknown, reason: string) => rejected.push(rejectedRow(kind, record, sourceUrl, reason));
  const omit = kind.children.map((c) => c.field);
  for (const record of records) {
    const collision = nulKeyCollisionOf(record);
    if (collision) {
      reject(record, describeNulKeyCollision(collision));
      continue;
    }
    let rawHash: string;
    try {
      rawHash = recordHash(record, parentId, omit);
    } catch (error) {
      reject(record, describeRecordFailure('hashing', error, record));
      continue;
    }
    let entity: NormalizedEntity;
    try {
      const id = idOf(record);
      const stored = id === null ? undefined : known?.get(id);
      if (stored && !stored.deleted && stored.raw_hash === rawHash) {
        entity = kind.normalize(record as never, parentId);
      } else {
        const parsed = kind.schema.safeParse(record);
        if (!parsed.success) {
          reject(record, describeIssues(parsed.error));
          continue;
        }
        // The schemas check and never transform (no default, coercion nor transform: schemas.test.ts),
        // so the record is what they accepted: normalized itself, the copy they return dies at once
        // instead of being held with its page until it is stored.
        entity = kind.normalize(record as never, parentId);
      }
    } catch (error) {
      reject(record, describeRecordFailure('validation', error, record));
      continue;
    }
    entity.rawHash = rawHash;
    if (kind.rawAsReceived) entity.rawText = () => rawTextOf(record, omit);
    // Paging drift can repeat an item; the last copy wins and it is stored once.
    byId.set(entity.id, entity);
    payloads.set(entity.id, record);
  }
  return { entities: [...byId.values()], rejected, payloads };
}

/** The ids of a page's records, for locking their stored rows before validation. */
export function recordIds(records: unknown[]): string[] {
  return [...new Set(records.flatMap((r) => { const id = idOf(r); return id === null ? [] : [id]; }))];
}

/** The row of a record rejected at any step, with a payload PostgreSQL can take. */
export function rejectedRow(kind: EntityKind, record: unknown, sourceUrl: string, reason: string): RejectedRow {
  return { entity_type: kind.entityType, entity_id: idOf(record), source_url: sourceUrl, reason, payload: storablePayload(record) };
}

function idOf(record: unknown): string | null {
  if (record === null || typeof record !== 'object' || !('id' in record)) return null;
  const { id } = record;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

/** `created_at: is not an ISO-8601 timestamp; id: expected string, received number`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(record)'}: ${issue.message}`)
    .join('; ');
}
