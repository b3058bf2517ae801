// The resource kind: resources embedded in a dataset, keyed by their UUID; the crawler's heartbeat
// extras are volatile. Pure.
import { ResourceSchema, type Resource } from '../../api/schemas/entities.ts';
import { resources } from '../../db/schema.ts';
import { timestampOrNull } from '../../api/timestamps.ts';
import { defineKind } from './kind.ts';

/** Crawler heartbeat extras of resources (`check:*`, `analysis:*`). */
export function isCrawlerExtra(key: string): boolean {
  return key.startsWith('check:') || key.startsWith('analysis:');
}

export const resourceKind = defineKind<Resource, typeof resources>({
  entityType: 'resource',
  table: resources,
  schema: ResourceSchema,
  rawAsReceived: true, // raw is its record
  parentColumn: 'datasetId',
  isVolatileExtra: isCrawlerExtra,
  normalize(record, datasetId) {
    if (!datasetId) throw new Error('a resource is normalized with its dataset id');
    return {
      id: record.id,
      // Kept as received; the dataset id is tracked through its column (a move is a change).
      raw: record,
      columns: {
        datasetId,
        title: record.title,
        url: record.url,
        format: record.format,
        type: record.type,
        filetype: record.filetype,
        mime: record.mime,
        filesize: record.filesize,
        checksumType: record.checksum?.type,
        checksumValue: record.checksum?.value,
        createdAt: timestampOrNull(record.created_at),
        lastModified: timestampOrNull(record.last_modified),
      },
    };
  },
});
