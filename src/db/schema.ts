// Drizzle schema: the analysts' contract (DESIGN §1). Pure declarations; migrations are generated from it.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/** Columns every entity table carries: raw JSON, hashes that decide rewrites, presence and tombstone. */
const entityColumns = () => ({
  raw: jsonb('raw').notNull(),
  /** Hash of the tracked (non-volatile) fields: a new value is a change. */
  contentHash: text('content_hash').notNull(),
  /** Hash of the whole stored raw: a new value rewrites the row (volatile fields included). */
  rawHash: text('raw_hash').notNull(),
  firstSeenAt: tstz('first_seen_at').notNull().defaultNow(),
  lastChangedAt: tstz('last_changed_at').notNull().defaultNow(),
  deletedAt: tstz('deleted_at'),
  deletionReason: text('deletion_reason'),
});

export const organizations = pgTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    slug: text('slug'),
    name: text('name'),
    acronym: text('acronym'),
    businessNumberId: text('business_number_id'),
    badges: text('badges').array(),
    createdAt: tstz('created_at'),
    lastModified: tstz('last_modified'),
    ...entityColumns(),
  },
  (t) => [index('organizations_slug_idx').on(t.slug)],
);

export const datasets = pgTable(
  'datasets',
  {
    id: text('id').primaryKey(),
    slug: text('slug'),
    title: text('title'),
    acronym: text('acronym'),
    organizationId: text('organization_id'),
    ownerId: text('owner_id'),
    license: text('license'),
    frequency: text('frequency'),
    tags: text('tags').array(),
    badges: text('badges').array(),
    private: boolean('private'),
    archivedAt: tstz('archived_at'),
    createdAt: tstz('created_at'),
    lastModified: tstz('last_modified'),
    lastModifiedInternal: tstz('last_modified_internal'),
    lastUpdate: tstz('last_update'),
    temporalCoverageStart: date('temporal_coverage_start', { mode: 'string' }),
    temporalCoverageEnd: date('temporal_coverage_end', { mode: 'string' }),
    resourcesCount: integer('resources_count'),
    ...entityColumns(),
  },
  (t) => [
    index('datasets_organization_id_idx').on(t.organizationId),
    index('datasets_owner_id_idx').on(t.ownerId),
    index('datasets_slug_idx').on(t.slug),
    index('datasets_last_modified_idx').on(t.lastModified),
    index('datasets_tags_idx').using('gin', t.tags),
  ],
);

export const resources = pgTable(
  'resources',
  {
    id: text('id').primaryKey(),
    datasetId: text('dataset_id').notNull(),
    title: text('title'),
    url: text('url'),
    format: text('format'),
    type: text('type'),
    filetype: text('filetype'),
    mime: text('mime'),
    filesize: bigint('filesize', { mode: 'number' }),
    checksumType: text('checksum_type'),
    checksumValue: text('checksum_value'),
    createdAt: tstz('created_at'),
    lastModified: tstz('last_modified'),
    ...entityColumns(),
  },
  (t) => [index('resources_dataset_id_idx').on(t.datasetId), index('resources_format_idx').on(t.format)],
);

export const reuses = pgTable(
  'reuses',
  {
    id: text('id').primaryKey(),
    slug: text('slug'),
    title: text('title'),
    type: text('type'),
    topic: text('topic'),
    url: text('url'),
    organizationId: text('organization_id'),
    ownerId: text('owner_id'),
    tags: text('tags').array(),
    private: boolean('private'),
    archivedAt: tstz('archived_at'),
    createdAt: tstz('created_at'),
    lastModified: tstz('last_modified'),
    ...entityColumns(),
  },
  (t) => [
    index('reuses_organization_id_idx').on(t.organizationId),
    index('reuses_owner_id_idx').on(t.ownerId),
  ],
);

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    slug: text('slug'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    createdAt: tstz('created_at'),
    /** When the mirror last fetched this user in full: users carry no modification stamp, so they are
     * refreshed in rotation, the longest unfetched first. */
    fetchedAt: tstz('fetched_at').notNull().defaultNow(),
    ...entityColumns(),
  },
  (t) => [index('users_slug_idx').on(t.slug), index('users_fetched_at_idx').on(t.fetchedAt)],
);

/** The catalog of APIs. `last_modified` is the API's `metadata_modified_at`, bumped on every edit and
 * on adding or removing a served dataset: the manifest stamp. */
export const dataservices = pgTable(
  'dataservices',
  {
    id: text('id').primaryKey(),
    slug: text('slug'),
    title: text('title'),
    organizationId: text('organization_id'),
    ownerId: text('owner_id'),
    baseApiUrl: text('base_api_url'),
    accessType: text('access_type'),
    tags: text('tags').array(),
    private: boolean('private'),
    archivedAt: tstz('archived_at'),
    createdAt: tstz('created_at'),
    lastModified: tstz('last_modified'),
    /** How many datasets the API said it serves (the `datasets.total` of the item's link). */
    datasetsCount: integer('datasets_count'),
    ...entityColumns(),
  },
  (t) => [
    index('dataservices_organization_id_idx').on(t.organizationId),
    index('dataservices_owner_id_idx').on(t.ownerId),
    index('dataservices_slug_idx').on(t.slug),
  ],
);

export const reuseDatasets = pgTable(
  'reuse_datasets',
  {
    reuseId: text('reuse_id').notNull(),
    datasetId: text('dataset_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reuseId, t.datasetId] }), index('reuse_datasets_dataset_id_idx').on(t.datasetId)],
);

export const dataserviceDatasets = pgTable(
  'dataservice_datasets',
  {
    dataserviceId: text('dataservice_id').notNull(),
    datasetId: text('dataset_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.dataserviceId, t.datasetId] }), index('dataservice_datasets_dataset_id_idx').on(t.datasetId)],
);

export const organizationMembers = pgTable(
  'organization_members',
  {
    organizationId: text('organization_id').notNull(),
    userId: text('user_id').notNull(),
    role: text('role'),
    since: tstz('since'),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.userId] }),
    index('organization_members_user_id_idx').on(t.userId),
  ],
);

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    mode: text('mode').notNull(),
    scope: text('scope'),
    kinds: text('kinds').array().notNull().default(sql`'{}'::text[]`),
    /** The run's identity for good: queue job ids and payloads carry it, so a recreated database, another
     * database on the same queue or a reset Redis never makes a job join or skip a run that is not its own. */
    uuid: uuid('uuid').notNull().defaultRandom(),
    /** The queue job that opened the run (informative: ids restart when Redis is reset). */
    jobId: text('job_id'),
    status: text('status').notNull().default('running'),
    startedAt: tstz('started_at').notNull().defaultNow(),
    finishedAt: tstz('finished_at'),
    heartbeatAt: tstz('heartbeat_at').notNull().defaultNow(),
    pages: integer('pages').notNull().default(0),
    requests: integer('requests').notNull().default(0),
    retries: integer('retries').notNull().default(0),
    seen: integer('seen').notNull().default(0),
    inserted: integer('inserted').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    deleted: integer('deleted').notNull().default(0),
    restored: integer('restored').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    /** Per kind: total announced by the API, distinct ids seen, pages fetched and failed, complete flag. */
    completeness: jsonb('completeness').notNull().default(sql`'{}'::jsonb`),
    /** Per entity type: seen, inserted, updated, restored, unchanged, deleted, rejected. */
    countsByType: jsonb('counts_by_type').notNull().default(sql`'{}'::jsonb`),
    error: text('error'),
  },
  (t) => [
    index('sync_runs_started_at_idx').on(t.startedAt),
    index('sync_runs_status_idx').on(t.status),
    uniqueIndex('sync_runs_uuid_idx').on(t.uuid),
    index('sync_runs_job_id_idx').on(t.jobId),
  ],
);

export const changes = pgTable(
  'changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    op: text('op').notNull(),
    /** Changed top-level keys, modification stamps aside (see stampFields). */
    changedFields: text('changed_fields').array().notNull(),
    /** Changed top-level keys that are modification stamps only (`internal`, `last_modified`, ...). */
    stampFields: text('stamp_fields').array().notNull().default(sql`'{}'::text[]`),
    patch: jsonb('patch').notNull(),
    /** Old values of the changed keys (update, restore); the whole last object (delete); null (insert). */
    oldValues: jsonb('old_values'),
    /** New values of the changed keys (update); the whole object (restore); null (delete, and insert:
     * its object is the patch's one add, not stored twice). */
    newValues: jsonb('new_values'),
    /** The organization of the entity (a resource's: its dataset's) when the change was observed. */
    organizationId: text('organization_id'),
    /** Of a delete: deleted, not_found, removed or dataset_deleted. */
    deletionReason: text('deletion_reason'),
    observedAt: tstz('observed_at').notNull().defaultNow(),
  },
  (t) => [
    index('changes_entity_idx').on(t.entityType, t.entityId, t.observedAt),
    index('changes_run_id_idx').on(t.runId),
    index('changes_observed_at_idx').on(t.observedAt),
    index('changes_kind_observed_at_idx').on(t.entityType, t.observedAt),
    index('changes_organization_idx').on(t.organizationId, t.observedAt),
    // Updates and restores only: every insert lists every key, which no field question wants.
    index('changes_changed_fields_idx').using('gin', t.changedFields).where(sql`op in ('update', 'restore')`),
  ],
);

/** The daily rollup of `changes` that dashboards poll; read it through the `changes_per_day` view, which
 * counts the days still in `changes_daily_dirty` live from `changes`. */
export const changesDaily = pgTable(
  'changes_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    entityType: text('entity_type').notNull(),
    organizationId: text('organization_id'),
    op: text('op').notNull(),
    changes: integer('changes').notNull(),
    /** Of those, updates whose only changed keys are modification stamps. */
    stampOnly: integer('stamp_only').notNull(),
  },
  (t) => [index('changes_daily_day_idx').on(t.day, t.entityType)],
);

/** Days with changes written since the rollup last counted them: a trigger on `changes` marks them in the
 * writing transaction, the refresh at the end of each run adds the changes written since and clears them. */
export const changesDailyDirty = pgTable('changes_daily_dirty', {
  day: date('day', { mode: 'string' }).primaryKey(),
  markedAt: tstz('marked_at').notNull().defaultNow(),
});

/** How far `changes` is counted in `changes_daily` (one row): a refresh adds the changes whose id is above
 * `up_to` to the rollup instead of recounting their days. */
export const changesDailyCounted = pgTable('changes_daily_counted', {
  upTo: bigint('up_to', { mode: 'number' }).notNull(),
});

/** Run state: the ids each walk of a run saw, so that the deletion sweep is an anti-join and no job
 * payload carries them. Logged, not unlogged: a crash would empty an unlogged table under a run that
 * rides through it. Rows of ended runs are deleted when the next run opens. */
export const runSeenIds = pgTable(
  'run_seen_ids',
  {
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    id: text('id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.kind, t.id] })],
);

export const rejectedRecords = pgTable(
  'rejected_records',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    sourceUrl: text('source_url').notNull(),
    reason: text('reason').notNull(),
    payload: jsonb('payload'),
    rejectedAt: tstz('rejected_at').notNull().defaultNow(),
  },
  (t) => [index('rejected_records_run_id_idx').on(t.runId)],
);

export const metricSnapshots = pgTable(
  'metric_snapshots',
  {
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    metrics: jsonb('metrics').notNull(),
  },
  (t) => [primaryKey({ columns: [t.entityType, t.entityId, t.day] })],
);

export const ENTITY_TABLES = { organizations, datasets, resources, reuses, users, dataservices } as const;
