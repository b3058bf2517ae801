// The dataservice kind (the catalog's APIs): its served datasets are not embedded but read from the
// datasets listing filtered by the dataservice, only when it serves some; `metadata_modified_at`
// moves on every edit and on linking or unlinking a dataset, so it is the manifest stamp. Pure.
import { DataserviceSchema, type Dataservice } from '../../api/schemas/entities.ts';
import { dataservices } from '../../db/schema.ts';
import { timestampOrNull } from '../../api/timestamps.ts';
import { compact, defineKind, refId } from './kind.ts';
import { stampAt } from './stamp.ts';

export const dataserviceKind = defineKind<Dataservice, typeof dataservices>({
  entityType: 'dataservice',
  table: dataservices,
  schema: DataserviceSchema,
  rawAsReceived: true, // raw is its record
  links: [
    {
      table: 'dataservice_datasets',
      parentColumn: 'dataservice_id',
      keyColumn: 'dataset_id',
      fetched: {
        path: '/api/1/datasets/',
        param: 'dataservice',
        count: (raw) => {
          const total = (raw.datasets as { total?: unknown } | null | undefined)?.total;
          return typeof total === 'number' ? total : 0;
        },
      },
    },
  ],
  userColumns: ['ownerId'],
  organizationColumn: 'organizationId',
  listing: {
    name: 'dataservices',
    path: '/api/1/dataservices/',
    sort: 'created',
    manifestFields: 'data{id,metadata_modified_at,metrics},total,page,page_size,next_page',
    stampColumns: ['lastModified'],
    stamps: (item) => ({ lastModified: stampAt(item, 'metadata_modified_at') }),
    hidden: 'archived_at is not null',
    organizationParam: 'organization',
  },
  normalize(record) {
    const total = record.datasets?.total;
    return {
      id: record.id,
      raw: record,
      userIds: compact([refId(record.owner)]),
      columns: {
        slug: record.slug,
        title: record.title,
        organizationId: refId(record.organization),
        ownerId: refId(record.owner),
        baseApiUrl: record.base_api_url,
        accessType: record.access_type,
        tags: record.tags,
        private: record.private,
        archivedAt: timestampOrNull(record.archived_at),
        createdAt: timestampOrNull(record.created_at),
        lastModified: timestampOrNull(record.metadata_modified_at),
        datasetsCount: typeof total === 'number' ? total : null,
      },
    };
  },
});
