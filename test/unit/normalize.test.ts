import { describe, expect, it } from 'vitest';
import { KINDS_BY_TYPE } from '../../src/harvest/kinds/index.ts';
import { validateRecords } from '../../src/harvest/validate.ts';
import { readFixture } from '../support/fixtures.ts';

describe('normalizing real data.gouv.fr items', () => {
  it('types a dataset and leaves its resources to their own table', () => {
    const dataset = readFixture('dataset-item.json');
    const { entities, rejected } = validateRecords(KINDS_BY_TYPE.dataset, [dataset], '/api/1/datasets/');
    expect(rejected).toEqual([]);
    const [entity] = entities;
    expect(entity!.raw).not.toHaveProperty('resources');
    expect(entity!.children?.resources).toHaveLength((dataset.resources as unknown[]).length);
    expect(entity!.columns).toMatchObject({
      slug: dataset.slug,
      organization_id: (dataset.organization as { id: string }).id,
      owner_id: null,
      tags: dataset.tags,
      last_modified_internal: new Date((dataset.internal as { last_modified_internal: string }).last_modified_internal).toISOString(),
      resources_count: (dataset.resources as unknown[]).length,
    });
  });

  it('keeps a big filesize and the checksum of a resource', () => {
    const resource = readFixture('resource-item-v1.json');
    const { entities } = validateRecords(KINDS_BY_TYPE.resource, [resource], 'x', 'd1');
    expect(entities[0]!.columns).toMatchObject({ dataset_id: 'd1', filesize: resource.filesize });
  });

  it('types an organization with its members', () => {
    const org = readFixture('organization-item-2026.json');
    const { entities, rejected } = validateRecords(KINDS_BY_TYPE.organization, [org], 'x');
    expect(rejected).toEqual([]);
    const members = org.members as Array<{ user: { id: string }; role: string }>;
    expect(entities[0]!.links?.organization_members).toEqual(members.map((m) => expect.objectContaining({ user_id: m.user.id, role: m.role })));
    expect(entities[0]!.userIds).toHaveLength(new Set(members.map((m) => m.user.id)).size);
  });

  it('reduces the full datasets embedded in a reuse to their ids', () => {
    const page = readFixture<{ data: Array<{ datasets: Array<{ id: string }> }> }>('reuses-page-v1.json');
    const { entities, rejected } = validateRecords(KINDS_BY_TYPE.reuse, page.data, 'x');
    expect(rejected).toEqual([]);
    expect(entities[0]!.raw.datasets).toEqual(page.data[0]!.datasets.map((d) => d.id));
  });

  it('rejects an invalid record with the reason and keeps the others', () => {
    const dataset = readFixture('dataset-item.json');
    const bad = { ...dataset, id: 'bad1', created_at: 'not a date' };
    const { entities, rejected } = validateRecords(KINDS_BY_TYPE.dataset, [dataset, bad, { id: 42 }], '/api/1/datasets/?page=1');
    expect(entities.map((e) => e.id)).toEqual([dataset.id]);
    expect(rejected).toEqual([
      expect.objectContaining({ entity_id: 'bad1', reason: expect.stringContaining('created_at'), source_url: '/api/1/datasets/?page=1' }),
      expect.objectContaining({ entity_id: '42', reason: expect.stringContaining('id') }),
    ]);
  });
});

describe('normalizing a real dataservice', () => {
  it('types its columns from the item, with metadata_modified_at as last_modified and the link total as datasets_count', () => {
    const item = readFixture('dataservice-item-2026.json');
    const { entities, rejected } = validateRecords(KINDS_BY_TYPE.dataservice, [item], '/api/1/dataservices/');
    expect(rejected).toEqual([]);
    expect(entities[0]!.raw).toEqual(item);
    expect(entities[0]!.columns).toMatchObject({
      slug: item.slug,
      title: item.title,
      base_api_url: item.base_api_url,
      access_type: item.access_type,
      tags: item.tags,
      last_modified: new Date(item.metadata_modified_at as string).toISOString(),
      datasets_count: (item.datasets as { total: number }).total,
      organization_id: (item.organization as { id: string } | null)?.id ?? null,
    });
  });
});
