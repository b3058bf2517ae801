// Tests of the generated catalog itself: determinism, row shortcuts matching full objects, size and skew (pure).
import { describe, expect, it } from 'vitest';
import { FakeCatalog } from '../../src/fake-datagouv/catalog.ts';
import { countsFor } from '../../src/fake-datagouv/index.ts';
import { asList, asObj } from './test-helpers.ts';
import { KINDS } from '../../src/fake-datagouv/types.ts';

const counts = { datasets: 300, organizations: 20, reuses: 30, users: 200 };

function dump(catalog: FakeCatalog): string {
  catalog.setBaseUrl('http://fake.test');
  return JSON.stringify(KINDS.map((k) => catalog.list(k)));
}

describe('generated catalog', () => {
  it('is byte-identical for the same seed and counts, and differs for another seed', () => {
    expect(dump(new FakeCatalog(4, counts, true))).toBe(dump(new FakeCatalog(4, counts, true)));
    expect(dump(new FakeCatalog(5, counts, true))).not.toBe(dump(new FakeCatalog(4, counts, true)));
  });

  it('keeps stamps deterministic across the same mutation sequence', () => {
    const run = (): string => {
      const c = new FakeCatalog(4, counts, true);
      const id = c.visible('datasets')[0] ?? '';
      c.editDataset(id, { title: 'x' });
      c.addResource(id);
      c.bumpMetrics();
      return JSON.stringify(c.get('datasets', id));
    };
    expect(run()).toBe(run());
  });

  it('computes the same rows from its cheap path as from full objects', () => {
    const c = new FakeCatalog(8, counts, true);
    for (const e of c.all('datasets')) {
      const full = asObj(c.get('datasets', e.id));
      expect(e.row.keys['last_update']).toBe(Date.parse(String(full['last_update'])));
      expect(e.row.resources).toBe(asList(full['resources']).length);
    }
  });

  it('has unique ids and slugs per kind', () => {
    const c = new FakeCatalog(2, counts, true);
    for (const kind of KINDS) {
      const items = c.list(kind).map(asObj);
      expect(new Set(items.map((i) => i['id'])).size).toBe(items.length);
      expect(new Set(items.map((i) => i['slug'])).size).toBe(items.length);
    }
  });

  it('skews resources per dataset around five, and hides a few datasets', () => {
    const c = new FakeCatalog(1, { ...counts, datasets: 3000 }, true);
    const sizes = c.all('datasets').map((e) => e.row.resources);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeGreaterThan(3.5);
    expect(mean).toBeLessThan(7);
    expect(Math.max(...sizes)).toBeGreaterThan(15);
    const visible = c.visible('datasets').length;
    expect(visible).toBeLessThan(3000);
    expect(visible).toBeGreaterThan(2700);
  });

  it('derives counts from scale unless overridden', () => {
    expect(countsFor({})).toEqual({ datasets: 75, organizations: 6, reuses: 7, users: 71, dataservices: 1 });
    expect(countsFor({ scale: 0.01, counts: { users: 3 } })).toEqual({ datasets: 750, organizations: 60, reuses: 65, users: 3, dataservices: 12 });
    expect(countsFor({ counts: { datasets: 40, dataservices: 9 } })).toMatchObject({ datasets: 40, dataservices: 9 });
  });
});
