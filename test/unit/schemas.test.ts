// The entity schemas only check: what they accept comes out equal to what went in, with no key added,
// dropped or changed (no default, coercion nor transform). Validation relies on it: it normalizes the
// record itself, not the schema's copy (validate.ts). Real data.gouv.fr items and sparse records.
import { describe, expect, it } from 'vitest';
import { KINDS_BY_TYPE } from '../../src/harvest/kinds/index.ts';
import { readFixture } from '../support/fixtures.ts';

const dataset = readFixture('dataset-item.json');
// The recorder replaced this one's volatile fields by "[redacted]": `internal` is put back as the API has it.
const dataset2026: Record<string, unknown> = {
  ...readFixture('dataset-item-2026.json'),
  internal: { created_at_internal: '2024-01-04T10:00:00.000000+00:00', last_modified_internal: '2026-09-01T08:30:00.000000+00:00' },
};
const SAMPLES: Record<string, unknown[]> = {
  dataset: [dataset, dataset2026, { id: 'd1' }, { id: 'd2', resources: [], tags: null, internal: null, temporal_coverage: { start: null, end: null } }],
  resource: [readFixture('resource-item-v1.json'), ...(dataset.resources as unknown[]), ...(dataset2026.resources as unknown[]), { id: 'r1' }],
  organization: [readFixture('organization-item.json'), readFixture('organization-item-2026.json'), { id: 'o1', members: [] }],
  reuse: [...readFixture<{ data: unknown[] }>('reuses-page-v1.json').data, { id: 'u1', datasets: [] }],
  dataservice: [readFixture('dataservice-item-2026.json'), { id: 's1' }],
  user: [{ id: 'p1' }, { id: 'p2', slug: 'p2', first_name: 'Ana', last_name: null, email: null, metrics: { followers: 2 } }],
};

describe('the entity schemas', () => {
  for (const [type, records] of Object.entries(SAMPLES)) {
    it(`give back a ${type} as they received it`, () => {
      const kind = KINDS_BY_TYPE[type as keyof typeof KINDS_BY_TYPE];
      for (const record of records) {
        const parsed = kind.schema.safeParse(record);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toStrictEqual(record);
      }
    });
  }
});
