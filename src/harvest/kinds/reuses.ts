// The reuse kind: embedded datasets are reduced to their ids (their full objects live in datasets)
// and linked in reuse_datasets. Pure.
import { ReuseSchema, type Reuse } from '../../api/schemas/entities.ts';
import { reuses } from '../../db/schema.ts';
import { timestampOrNull } from '../../api/timestamps.ts';
import { compact, defineKind, refId } from './kind.ts';
import { stampAt } from './stamp.ts';

export const reuseKind = defineKind<Reuse, typeof reuses>({
  entityType: 'reuse',
  table: reuses,
  schema: ReuseSchema,
  links: [{ table: 'reuse_datasets', parentColumn: 'reuse_id', keyColumn: 'dataset_id' }],
  userColumns: ['ownerId'],
  organizationColumn: 'organizationId',
  listing: {
    name: 'reuses',
    path: '/api/1/reuses/',
    sort: 'created',
    manifestFields: 'data{id,last_modified,metrics},total,page,page_size,next_page',
    stampColumns: ['lastModified'],
    stamps: (item) => ({ lastModified: stampAt(item, 'last_modified') }),
    organizationParam: 'organization',
  },
  normalize(record) {
    const datasetIds = compact((record.datasets ?? []).map((d) => (typeof d === 'string' ? d : d.id)));
    return {
      id: record.id,
      raw: { ...record, datasets: datasetIds },
      links: { reuse_datasets: datasetIds.map((id) => ({ dataset_id: id })) },
      userIds: compact([refId(record.owner)]),
      columns: {
        slug: record.slug,
        title: record.title,
        type: record.type,
        topic: record.topic,
        url: record.url,
        organizationId: refId(record.organization),
        ownerId: refId(record.owner),
        tags: record.tags,
        private: record.private,
        archivedAt: timestampOrNull(record.archived),
        createdAt: timestampOrNull(record.created_at),
        lastModified: timestampOrNull(record.last_modified),
      },
    };
  },
});
