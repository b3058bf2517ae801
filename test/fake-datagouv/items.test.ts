// HTTP tests of single items (id or slug, 404/410) and of generated shapes against the real fixtures (touches HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { readFixture } from '../../src/fake-datagouv/fixtures.ts';
import { asList, asObj, fixtureKeys, getJson, type Obj } from './test-helpers.ts';

let fake: FakeDatagouv;
const api = (path: string): string => `${fake.url}/api/1/${path}`;
const first = (kind: 'datasets' | 'organizations' | 'reuses' | 'users'): Obj => asObj(fake.catalog.get(kind, fake.catalog.visible(kind)[0] ?? ''));

beforeAll(async () => {
  fake = await startFakeDatagouv({ seed: 3, counts: { datasets: 40, organizations: 6, reuses: 10, users: 25 } });
});
afterAll(async () => {
  await fake.close();
});

describe('generated shapes', () => {
  const union = (...lists: string[][]): string[] => [...new Set(lists.flat())].sort();

  it('gives datasets the keys of the real dataset items', async () => {
    const expected = union(fixtureKeys('dataset-item.json'), fixtureKeys('dataset-item-2026.json'));
    for (const d of asList(asObj((await getJson(api('datasets/?page_size=50'))).body)['data'])) expect(Object.keys(d).sort()).toEqual(expected);
  });

  it('gives resources, organizations, members, reuses and references the real keys', async () => {
    const dataset = first('datasets');
    const resourceKeys = fixtureKeys('resource-item-v1.json');
    for (const r of asList(dataset['resources'])) expect(Object.keys(r).sort()).toEqual(resourceKeys);
    const org = asObj((await getJson(api(`organizations/${String(first('organizations')['id'])}/`))).body);
    expect(Object.keys(org).sort()).toEqual(fixtureKeys('organization-item-2026.json'));
    const realMember = asObj(asList(asObj(readFixture('organization-item.json'))['members'])[0]);
    for (const m of asList(org['members'])) {
      expect(Object.keys(m).sort()).toEqual(Object.keys(realMember).sort());
      expect(Object.keys(asObj(m['user'])).sort()).toEqual(Object.keys(asObj(realMember['user'])).sort());
    }
    const realReuse = asObj(asList(asObj(readFixture('reuses-page-v1.json'))['data'])[0]);
    const reuse = first('reuses');
    expect(Object.keys(reuse).sort()).toEqual(Object.keys(realReuse).sort());
    const ref = dataset['organization'] ?? dataset['owner'];
    const realRef = dataset['organization'] ? realReuse['organization'] : asList(asObj(readFixture('reuses-page-v1.json'))['data'])[1]?.['owner'];
    expect(Object.keys(asObj(ref)).sort()).toEqual(Object.keys(asObj(realRef)).sort());
  });

  it('keeps the real timestamp quirks: naive login dates, date-only coverage, ObjectIds and UUIDs', () => {
    const datasets = fake.catalog.list('datasets').map(asObj);
    expect(datasets.every((d) => /^[0-9a-f]{24}$/.test(String(d['id'])))).toBe(true);
    expect(datasets.flatMap((d) => asList(d['resources'])).every((r) => /^[0-9a-f-]{36}$/.test(String(r['id'])))).toBe(true);
    const coverage = datasets.map((d) => d['temporal_coverage']).filter((c) => c !== null).map(asObj);
    expect(coverage.length).toBeGreaterThan(0);
    for (const c of coverage) expect(String(c['start'])).toMatch(/^\d{4}-\d\d-\d\d$/);
    const logins = fake.catalog.list('organizations').flatMap((o) => asList(asObj(o)['members'])).map((m) => asObj(m['user'])['last_login_at']);
    expect(logins.some((l) => typeof l === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/.test(l))).toBe(true);
  });
});

describe('items', () => {
  it.each(['datasets', 'organizations', 'reuses', 'users'] as const)('serves %s by id and by slug identically', async (kind) => {
    const item = first(kind);
    const byId = await getJson(api(`${kind}/${String(item['id'])}/`));
    const bySlug = await getJson(api(`${kind}/${String(item['slug'])}/`));
    expect(byId.status).toBe(200);
    expect(bySlug.body).toEqual(byId.body);
    expect(asObj(byId.body)['uri']).toBe(api(`${kind}/${String(item['slug'])}/`));
  });

  it('hides user emails from anonymous callers', async () => {
    const user = asObj((await getJson(api(`users/${String(first('users')['id'])}/`))).body);
    expect(user['email']).toBeNull();
  });

  it('serves one resource and 404s an unknown one', async () => {
    const dataset = first('datasets');
    const resource = asObj(asList(dataset['resources'])[0]);
    const got = await getJson(api(`datasets/${String(dataset['id'])}/resources/${String(resource['id'])}/`));
    expect(got.body).toEqual(resource);
    const missing = await getJson(api(`datasets/${String(dataset['id'])}/resources/00000000-0000-4000-8000-000000000000/`));
    expect(missing).toMatchObject({ status: 404, body: { message: 'Resource does not exist' } });
  });

  it('answers 404 with the production body for unknown ids and routes, and 405 for writes', async () => {
    const body = readFixture('error-404.json');
    expect(await getJson(api('datasets/000000000000000000000000/'))).toMatchObject({ status: 404, body });
    expect(await getJson(api('nothing-here/'))).toMatchObject({ status: 404, body });
    expect((await fetch(api('datasets/'), { method: 'POST', body: '{}' })).status).toBe(405);
  });
});
