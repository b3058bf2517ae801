// The description of an entity kind, in the manner of a dlt resource: its table and typed columns
// (keyed and type-checked against the drizzle table), its listing, embedded children, link tables,
// volatile keys, user references and organization scope. The one generic pipeline consumes it and
// never asks which kind it runs. Pure types and helpers.
import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import type { z } from 'zod';
import type { EntityTable } from '../../db/sql/types.ts';

export type EntityType = 'organization' | 'dataset' | 'resource' | 'reuse' | 'user' | 'dataservice';
export type ListedKind = 'organizations' | 'datasets' | 'reuses' | 'dataservices' | 'users';
export type { EntityTable };

/** Columns every entity table has, filled by the generic upsert, never by a kind. */
type GenericColumn = 'id' | 'raw' | 'contentHash' | 'rawHash' | 'firstSeenAt' | 'lastChangedAt' | 'deletedAt' | 'deletionReason';

/** The typed columns of a table, by drizzle key, with drizzle's insert types: `tsc` checks each
 * kind's normalizer against the schema (a misspelt or mistyped column does not compile). */
export type TypedColumns<T extends Table> = Omit<T['$inferInsert'], GenericColumn>;

/** Rows of a link table for one parent, by SQL column name. */
export type LinkRow = Record<string, unknown>;

/** One entity ready to store: typed columns (by SQL name) and the raw JSON kept for analysts. */
export interface NormalizedEntity {
  id: string;
  columns: Record<string, unknown>;
  raw: Record<string, unknown>;
  /** Embedded children still unvalidated, by child field (a dataset's `resources`). */
  children?: Record<string, unknown[]>;
  /** Link rows by link table, when the item embeds them (a reuse's datasets, an organization's members). */
  links?: Record<string, LinkRow[]>;
  /** Users this entity references (owner, members), discovered for the users pass. */
  userIds?: string[];
  /** The hash of the record as received (`recordHash`), set by validation. */
  rawHash?: string;
  /** `raw` as the API sent it, UTF-8 chunks of the body (`rawTextOf`), asked for only of the rows
   * written; set by validation where the kind's raw is its record as received, dropped when `raw` is
   * rewritten. */
  rawText?: () => Uint8Array[] | undefined;
}

/** Children embedded in a parent's item and stored in their own table (a dataset's resources). */
export interface ChildSpec {
  /** The parent item's field holding them; it is left out of the parent's raw. */
  field: string;
  kind: EntityKind;
  /** The child table's column holding the parent id (SQL name). */
  parentColumn: string;
  /** `deletion_reason` of a child gone from its parent's item. */
  removalReason: string;
  /** `deletion_reason` of the children of a deleted parent. */
  cascadeReason: string;
}

/** A link table that holds the current links of a parent (dropped when the parent is deleted). */
export interface LinkSpec {
  table: string;
  /** The link table's column holding the parent id, and the one holding the other side (SQL names). */
  parentColumn: string;
  keyColumn: string;
  /** Further columns of a link row, with their SQL types (updated in place when they change). */
  valueColumns?: Record<string, string>;
  /** Links the item does not embed: read from a listing filtered by the parent (a dataservice's
   * datasets), only for parents whose `count` is above zero. */
  fetched?: { path: string; param: string; count(raw: Record<string, unknown>): number };
  /** The other side is a user: the users pass fetches them. */
  keyIsUser?: boolean;
}

export interface ListingSpec {
  name: ListedKind;
  path: string;
  /** A stable ascending sort: items created during a walk append at the end. */
  sort: string;
  /** `X-Fields` mask of the manifest pass: ids, modification stamps and metrics only. */
  manifestFields: string;
  /** The typed columns (SQL names) a manifest item's stamps are compared with; none: known entities
   * are refreshed in rotation, not by the manifest. */
  stampColumns: string[];
  /** The stamp values of a manifest item, by SQL column name (the same normalization as the columns). */
  stamps(item: Record<string, unknown>): Record<string, unknown>;
  /** SQL predicate on the table of the live rows this listing hides (archived datasets): they are
   * never deletion candidates. */
  hidden?: string;
  /** Query parameter of the listing that filters by organization (its re-harvest). */
  organizationParam?: string;
  /** Its entities are the scope of a re-harvest (organizations): one is fetched by id, not listed. */
  isScope?: boolean;
  /** Listed only with an admin key (401/403 otherwise): discovered through references instead. */
  needsAdminKey?: boolean;
  /** Walked after the other listings: its entities are referenced by theirs. */
  referenced?: boolean;
}

export interface EntityKind<T = unknown> {
  entityType: EntityType;
  table: EntityTable;
  /** Typed columns this kind fills, by SQL name (the generic columns are added by the upsert). */
  columns: readonly string[];
  schema: z.ZodType<T>;
  normalize(record: T, parentId?: string): NormalizedEntity;
  /** The column of a child kind holding its parent's id (SQL name): a move is a change. */
  parentColumn?: string;
  children: ChildSpec[];
  links: LinkSpec[];
  /** Top-level and nested keys whose values move without a real change: stored, never a change. */
  volatileKeys: ReadonlySet<string>;
  /** Keys of `extras` that are crawler heartbeats (resources' `check:*`, `analysis:*`). */
  isVolatileExtra?(key: string): boolean;
  /** Typed columns holding user ids (owners): the users pass fetches them. */
  userColumns: string[];
  /** The column holding the organization of an entity, for a re-harvest's scope. */
  organizationColumn?: string;
  /** Columns set to the observation time at every write (users' `fetched_at`, the rotation order). */
  touchColumns: string[];
  /** Top-level keys only an admin key sees (the API answers null otherwise): a null there keeps the
   * stored value instead of erasing it (a run without the admin key is not a change). */
  adminOnlyKeys: string[];
  /** Entities gone before the mirror ever stored them still get a tombstone row (users referenced
   * by others): they are not asked for again at every run. */
  tombstonesUnknown?: boolean;
  /** `normalize`'s raw is the record as received without its child fields: it is then sent to
   * PostgreSQL as the body's own text instead of serialized again. */
  rawAsReceived: boolean;
  listing?: ListingSpec;
}

/** Keys volatile in every kind (DESIGN §1). */
export const VOLATILE_KEYS: ReadonlySet<string> = new Set(['metrics', 'permissions', 'quality', 'last_login_at']);

/** What a kind declares; `defineKind` derives the SQL names from the drizzle table. */
export interface KindDefinition<T, Tb extends Table> {
  entityType: EntityType;
  table: Tb;
  schema: z.ZodType<T>;
  /** The entity's id, raw JSON (without children) and typed columns, checked against the table. */
  normalize(record: T, parentId?: string): {
    id: string;
    raw: Record<string, unknown>;
    columns: TypedColumns<Tb>;
    children?: Record<string, unknown[]>;
    links?: Record<string, LinkRow[]>;
    userIds?: string[];
  };
  parentColumn?: keyof TypedColumns<Tb> & string;
  children?: ChildSpec[];
  links?: LinkSpec[];
  volatileKeys?: string[];
  isVolatileExtra?(key: string): boolean;
  userColumns?: Array<keyof TypedColumns<Tb> & string>;
  organizationColumn?: keyof TypedColumns<Tb> & string;
  touchColumns?: Array<keyof Tb['$inferInsert'] & string>;
  adminOnlyKeys?: string[];
  tombstonesUnknown?: boolean;
  /** See EntityKind.rawAsReceived; default false. */
  rawAsReceived?: boolean;
  listing?: Omit<ListingSpec, 'stampColumns' | 'stamps'> & {
    /** The stamp columns of a manifest item, by drizzle key, normalized like the columns. */
    stamps(item: Record<string, unknown>): Partial<TypedColumns<Tb>>;
    stampColumns: Array<keyof TypedColumns<Tb> & string>;
  };
}

/** Builds the kind the pipeline runs on from its definition: drizzle keys become SQL names. */
export function defineKind<T, Tb extends Table>(definition: KindDefinition<T, Tb>): EntityKind<T> {
  const columnsByKey = getTableColumns(definition.table) as Record<string, { name: string }>;
  const sqlName = (key: string): string => {
    const column = columnsByKey[key];
    if (!column) throw new Error(`${getTableName(definition.table)} has no column ${key}`);
    return column.name;
  };
  const bySqlName = (values: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) out[sqlName(key)] = value ?? null;
    return out;
  };
  const generic = new Set<string>(['id', 'raw', 'contentHash', 'rawHash', 'firstSeenAt', 'lastChangedAt', 'deletedAt', 'deletionReason']);
  const touch = new Set<string>(definition.touchColumns ?? []);
  const typed = Object.keys(columnsByKey)
    .filter((key) => !generic.has(key) && !touch.has(key))
    .map((key) => [key, sqlName(key)] as const);
  const columns = typed.map(([, name]) => name);
  const { listing } = definition;
  return {
    entityType: definition.entityType,
    table: getTableName(definition.table) as EntityTable,
    columns,
    schema: definition.schema,
    normalize(record, parentId) {
      const n = definition.normalize(record, parentId);
      // Every typed column is written, absent ones as null: a value the API dropped is cleared. (The
      // normalizer's keys are the table's typed columns: tsc checks them against TypedColumns.)
      const given = n.columns as Record<string, unknown>;
      const byName: Record<string, unknown> = {};
      for (const [key, name] of typed) byName[name] = given[key] ?? null;
      n.columns = byName as typeof n.columns;
      return n;
    },
    parentColumn: definition.parentColumn && sqlName(definition.parentColumn),
    children: definition.children ?? [],
    links: definition.links ?? [],
    volatileKeys: new Set([...VOLATILE_KEYS, ...(definition.volatileKeys ?? [])]),
    isVolatileExtra: definition.isVolatileExtra,
    userColumns: (definition.userColumns ?? []).map(sqlName),
    organizationColumn: definition.organizationColumn && sqlName(definition.organizationColumn),
    touchColumns: [...touch].map(sqlName),
    adminOnlyKeys: definition.adminOnlyKeys ?? [],
    tombstonesUnknown: definition.tombstonesUnknown,
    rawAsReceived: definition.rawAsReceived ?? false,
    listing: listing && {
      ...listing,
      stampColumns: listing.stampColumns.map(sqlName),
      stamps: (item) => bySqlName(listing.stamps(item) as Record<string, unknown>),
    },
  };
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

/** A nested value of a manifest item, e.g. `internal.last_modified_internal`. */
export function at(item: Record<string, unknown>, ...path: string[]): unknown {
  let value: unknown = item;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}
