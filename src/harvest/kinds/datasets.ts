// The dataset kind: typed columns from a v1 dataset; its resources are children in their own table;
// the listing hides archived datasets. Pure.
import { DatasetSchema, type Dataset } from '../../api/schemas/entities.ts';
import { datasets } from '../../db/schema.ts';
import { dateOrNull, timestampOrNull } from '../../api/timestamps.ts';
import { badgeKinds, compact, defineKind, refId } from './kind.ts';
import { resourceKind } from './resources.ts';
import { stampAt } from './stamp.ts';

export const datasetKind = defineKind<Dataset, typeof datasets>({
  entityType: 'dataset',
  table: datasets,
  schema: DatasetSchema,
  rawAsReceived: true, // raw is its record without `resources`
  children: [{ field: 'resources', kind: resourceKind, parentColumn: 'dataset_id', removalReason: 'removed', cascadeReason: 'dataset_deleted' }],
  userColumns: ['ownerId'],
  organizationColumn: 'organizationId',
  listing: {
    name: 'datasets',
    path: '/api/1/datasets/',
    sort: 'created',
    manifestFields: 'data{id,last_update,internal{last_modified_internal},metrics},total,page,page_size,next_page',
    // last_modified_internal moves on metadata edits and resource changes; last_update on remote file changes.
    stampColumns: ['lastModifiedInternal', 'lastUpdate'],
    stamps: (item) => ({ lastModifiedInternal: stampAt(item, 'internal', 'last_modified_internal'), lastUpdate: stampAt(item, 'last_update') }),
    hidden: 'archived_at is not null',
    organizationParam: 'organization',
  },
  normalize(record) {
    const { resources, ...raw } = record;
    return {
      id: record.id,
      raw,
      children: { resources: resources ?? [] },
      userIds: compact([refId(record.owner)]),
      columns: {
        slug: record.slug,
        title: record.title,
        acronym: record.acronym,
        organizationId: refId(record.organization),
        ownerId: refId(record.owner),
        license: record.license,
        frequency: record.frequency,
        tags: record.tags,
        badges: badgeKinds(record.badges),
        private: record.private,
        archivedAt: timestampOrNull(record.archived),
        createdAt: timestampOrNull(record.created_at),
        lastModified: timestampOrNull(record.last_modified),
        lastModifiedInternal: timestampOrNull(record.internal?.last_modified_internal),
        lastUpdate: timestampOrNull(record.last_update),
        temporalCoverageStart: dateOrNull(record.temporal_coverage?.start),
        temporalCoverageEnd: dateOrNull(record.temporal_coverage?.end),
        resourcesCount: resources?.length ?? 0,
      },
    };
  },
});
