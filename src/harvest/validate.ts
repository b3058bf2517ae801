// Validation and normalization of one page of records: valid ones become entities, the rest rejections. Pure.
import type { z } from 'zod';
import type { RejectedRow } from '../db/sql/insert-rejected.ts';
import type { EntityKind, NormalizedEntity } from './kinds/index.ts';

export interface ValidatedBatch {
  entities: NormalizedEntity[];
  rejected: RejectedRow[];
}

export function validateRecords(
  kind: EntityKind,
  records: unknown[],
  sourceUrl: string,
  parentId?: string,
): ValidatedBatch {
  const byId = new Map<string, NormalizedEntity>();
  const rejected: RejectedRow[] = [];
  for (const record of records) {
    const parsed = kind.schema.safeParse(record);
    if (!parsed.success) {
      rejected.push({
        entity_type: kind.entityType,
        entity_id: idOf(record),
        source_url: sourceUrl,
        reason: describeIssues(parsed.error),
        payload: record ?? null,
      });
      continue;
    }
    const entity = kind.normalize(parsed.data, parentId);
    // Paging drift can repeat an item; the last copy wins and it is stored once.
    byId.set(entity.id, entity);
  }
  return { entities: [...byId.values()], rejected };
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
