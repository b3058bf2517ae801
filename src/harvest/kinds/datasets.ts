// The dataset kind: typed columns from a v1 dataset; resources go to their own table. Pure.
import { DatasetSchema, type Dataset } from '../../api/schemas/entities.ts';
import { dateOrNull, timestampOrNull } from '../timestamps.ts';
import { badgeKinds, compact, refId, type EntityKind } from './kind.ts';

export const datasetKind: EntityKind<Dataset> = {
  entityType: 'dataset',
  table: 'datasets',
  columns: [
    'slug', 'title', 'acronym', 'organization_id', 'owner_id', 'license', 'frequency', 'tags', 'badges',
    'private', 'archived_at', 'created_at', 'last_modified', 'last_modified_internal', 'last_update',
    'temporal_coverage_start', 'temporal_coverage_end', 'resources_count',
  ],
  schema: DatasetSchema,
  normalize(record) {
    const { resources, ...raw } = record;
    return {
      id: record.id,
      raw,
      resources: resources ?? [],
      userIds: compact([refId(record.owner)]),
      columns: {
        slug: record.slug ?? null,
        title: record.title ?? null,
        acronym: record.acronym ?? null,
        organization_id: refId(record.organization),
        owner_id: refId(record.owner),
        license: record.license ?? null,
        frequency: record.frequency ?? null,
        tags: record.tags ?? null,
        badges: badgeKinds(record.badges),
        private: record.private ?? null,
        archived_at: timestampOrNull(record.archived),
        created_at: timestampOrNull(record.created_at),
        last_modified: timestampOrNull(record.last_modified),
        last_modified_internal: timestampOrNull(record.internal?.last_modified_internal),
        last_update: timestampOrNull(record.last_update),
        temporal_coverage_start: dateOrNull(record.temporal_coverage?.start),
        temporal_coverage_end: dateOrNull(record.temporal_coverage?.end),
        resources_count: resources?.length ?? 0,
      },
    };
  },
};
