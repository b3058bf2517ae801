// HTTP tests of masked listings: a mask naming only passed-through keys answers exactly what masking the full render gives (touches HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMask, parseMask } from '../../src/fake-datagouv/field-mask.ts';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { PASSED_THROUGH } from '../../src/fake-datagouv/render.ts';
import { LISTINGS, PRIMARY_KINDS } from '../../src/harvest/kinds/index.ts';
import { KINDS, type Kind } from '../../src/fake-datagouv/types.ts';
import { asObj, dataOf, getJson } from './test-helpers.ts';

let fake: FakeDatagouv;
const admin = { 'X-API-KEY': 'fake-admin-key' };

beforeAll(async () => {
  fake = await startFakeDatagouv({ seed: 11, counts: { datasets: 400, organizations: 12, reuses: 30, users: 60, dataservices: 12 } });
  const c = fake.catalog;
  // mutated entities are served from their stored objects, unmutated ones may come from their rows generation
  const [d1, d2] = c.visible('datasets');
  c.editDataset(String(d1), { title: 'Renamed' });
  const resource = asObj((asObj(c.get('datasets', String(d2)))['resources'] as unknown[])[0]);
  c.editResource(String(d2), String(resource['id']), { title: 'Edited resource' });
  c.editOrganization(String(c.visible('organizations')[0]), { name: 'Renamed org' });
  c.bumpMetrics();
  c.touchCrawlerExtras();
});
afterAll(async () => {
  await fake.close();
});

const SEGMENT: Record<Kind, string> = { datasets: 'datasets', organizations: 'organizations', reuses: 'reuses', users: 'users', dataservices: 'dataservices' };

async function page(kind: Kind, mask?: string): Promise<unknown> {
  const headers: Record<string, string> = { ...admin, ...(mask ? { 'X-Fields': mask } : {}) };
  const got = await getJson(`${fake.url}/api/1/${SEGMENT[kind]}/?page_size=1000&sort=created`, headers);
  expect(got.status).toBe(200);
  expect(dataOf(got).length).toBeGreaterThan(0);
  return got.body;
}

describe('masked listings', () => {
  it.each(KINDS)('answer %s with every passed-through key as masking the full render does', async (kind) => {
    const mask = `data{${[...PASSED_THROUGH[kind]].join(',')}},total,page,page_size,next_page`;
    expect(await page(kind, mask)).toEqual(applyMask(await page(kind), parseMask(mask)));
  });

  it.each(PRIMARY_KINDS)("answer the mirror's %s manifest mask as masking the full render does", async (kind) => {
    const mask = LISTINGS[kind].manifestFields;
    const masked = await page(kind, mask);
    expect(masked).toEqual(applyMask(await page(kind), parseMask(mask)));
  });

  it('render the rest in full when the mask names a key it rewrites', async () => {
    const mask = 'data{id,resources{id,latest}}';
    const data = dataOf({ status: 200, headers: new Headers(), body: await page('datasets', mask) });
    const resources = data.flatMap((d) => d['resources'] as Array<Record<string, unknown>>);
    expect(resources.length).toBeGreaterThan(0);
    for (const r of resources) expect(String(r['latest'])).toMatch(/\/api\/1\/datasets\/r\/[0-9a-f-]+$/);
  });
});
