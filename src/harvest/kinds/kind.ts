// The description of an entity kind that the one generic pipeline runs on. Pure types and helpers.
import type { z } from 'zod';

export type EntityType = 'organization' | 'dataset' | 'resource' | 'reuse' | 'user';
export type ListedKind = 'organizations' | 'datasets' | 'reuses' | 'users';

/** One entity ready to store: typed columns (by SQL name) and the raw JSON kept for analysts. */
export interface NormalizedEntity {
  id: string;
  columns: Record<string, unknown>;
  raw: Record<string, unknown>;
  /** Embedded resources of a dataset, still unvalidated. */
  resources?: unknown[];
  /** Datasets a reuse links to. */
  datasetIds?: string[];
  /** Members of an organization. */
  members?: Array<{ userId: string; role: string | null; since: string | null }>;
  /** Users this entity references (owner, members), discovered for the users pass. */
  userIds?: string[];
}

export interface EntityKind<T = unknown> {
  entityType: EntityType;
  table: 'organizations' | 'datasets' | 'resources' | 'reuses' | 'users';
  /** Typed columns this kind fills, by SQL name (the generic columns are added by the upsert). */
  columns: readonly string[];
  schema: z.ZodType<T>;
  normalize(record: T, parentId?: string): NormalizedEntity;
}

/** The id of an embedded reference, or null. */
export function refId(ref: { id: string } | null | undefined): string | null {
  return ref?.id ?? null;
}

/** `[{kind: 'x'}]` → `['x']`. */
export function badgeKinds(badges: Array<{ kind: string }> | null | undefined): string[] | null {
  return badges ? badges.map((b) => b.kind) : null;
}

export function compact(values: Array<string | null | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}
