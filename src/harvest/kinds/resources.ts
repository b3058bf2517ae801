// The resource kind: resources embedded in a dataset, keyed by their UUID. Pure.
import { ResourceSchema, type Resource } from '../../api/schemas/entities.ts';
import { timestampOrNull } from '../timestamps.ts';
import type { EntityKind } from './kind.ts';

export const resourceKind: EntityKind<Resource> = {
  entityType: 'resource',
  table: 'resources',
  columns: [
    'dataset_id', 'title', 'url', 'format', 'type', 'filetype', 'mime', 'filesize', 'checksum_type',
    'checksum_value', 'created_at', 'last_modified',
  ],
  schema: ResourceSchema,
  normalize(record, datasetId) {
    if (!datasetId) throw new Error('a resource is normalized with its dataset id');
    return {
      id: record.id,
      // Kept as received; the dataset id is tracked through its column (a move is a change).
      raw: record,
      columns: {
        dataset_id: datasetId,
        title: record.title ?? null,
        url: record.url ?? null,
        format: record.format ?? null,
        type: record.type ?? null,
        filetype: record.filetype ?? null,
        mime: record.mime ?? null,
        filesize: record.filesize ?? null,
        checksum_type: record.checksum?.type ?? null,
        checksum_value: record.checksum?.value ?? null,
        created_at: timestampOrNull(record.created_at),
        last_modified: timestampOrNull(record.last_modified),
      },
    };
  },
};
