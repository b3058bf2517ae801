// The reuse kind: embedded datasets are reduced to their ids (their full objects live in datasets). Pure.
import { ReuseSchema, type Reuse } from '../../api/schemas/entities.ts';
import { timestampOrNull } from '../timestamps.ts';
import { compact, refId, type EntityKind } from './kind.ts';

export const reuseKind: EntityKind<Reuse> = {
  entityType: 'reuse',
  table: 'reuses',
  columns: [
    'slug', 'title', 'type', 'topic', 'url', 'organization_id', 'owner_id', 'tags', 'private', 'archived_at',
    'created_at', 'last_modified',
  ],
  schema: ReuseSchema,
  normalize(record) {
    const datasetIds = compact((record.datasets ?? []).map((d) => (typeof d === 'string' ? d : d.id)));
    return {
      id: record.id,
      raw: { ...record, datasets: datasetIds },
      datasetIds,
      userIds: compact([refId(record.owner)]),
      columns: {
        slug: record.slug ?? null,
        title: record.title ?? null,
        type: record.type ?? null,
        topic: record.topic ?? null,
        url: record.url ?? null,
        organization_id: refId(record.organization),
        owner_id: refId(record.owner),
        tags: record.tags ?? null,
        private: record.private ?? null,
        archived_at: timestampOrNull(record.archived),
        created_at: timestampOrNull(record.created_at),
        last_modified: timestampOrNull(record.last_modified),
      },
    };
  },
};
