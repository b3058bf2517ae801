// HTTP tests of the fake's dataservices: generated shape, listing, sorts, filters, masks, items, datasets' `dataservice` filter (touches HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCatalog } from '../../src/fake-datagouv/catalog.ts';
import { readFixture } from '../../src/fake-datagouv/fixtures.ts';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { asList, asObj, dataOf, fixtureKeys, getJson, walk, type Obj } from './test-helpers.ts';

let fake: FakeDatagouv;
const api = (path: string): string => `${fake.url}/api/1/${path}`;
const all = (): Obj[] => fake.catalog.list('dataservices').map(asObj);
const byId = (id: string): Obj => asObj(fake.catalog.get('dataservices', id));
const refId = (o: unknown): unknown => (o === null ? null : asObj(o)['id']);
const tagsOf = (d: Obj): unknown[] => (Array.isArray(d['tags']) ? d['tags'] : []);
/** Visible dataservices matching a predicate, in the default (created) order. */
const visibleWhere = (test: (d: Obj) => boolean): string[] => fake.catalog.visible('dataservices').filter((id) => test(byId(id)));

beforeAll(async () => {
  fake = await startFakeDatagouv({ seed: 21, counts: { datasets: 90, organizations: 8, reuses: 10, users: 40, dataservices: 60 } });
});
afterAll(async () => {
  await fake.close();
});

describe('generated dataservices', () => {
  it('have exactly the keys of the recorded item, with references, contact points and links like production', () => {
    const keys = fixtureKeys('dataservice-item-2026.json');
    const real = asObj(readFixture('dataservice-item-2026.json'));
    const orgIds = new Set(fake.catalog.all('organizations').map((e) => e.id));
    for (const d of all()) {
      expect(Object.keys(d).sort()).toEqual(keys);
      expect([d['organization'], d['owner']].filter((x) => x !== null)).toHaveLength(1);
      if (d['organization']) expect(Object.keys(asObj(d['organization'])).sort()).toEqual(fixtureKeys('dataservice-item-2026.json', (o) => o['organization']));
      for (const cp of asList(d['contact_points'])) {
        expect(Object.keys(cp).sort()).toEqual(Object.keys(asObj(asList(real['contact_points'])[0])).sort());
        if (cp['organization']) expect(orgIds.has(String(refId(cp['organization'])))).toBe(true);
      }
      expect(d['datasets']).toEqual({ href: api(`datasets/?dataservice=${String(d['id'])}`), rel: 'subsection', total: expect.any(Number), type: 'GET' });
      expect(d['self_api_url']).toBe(api(`dataservices/${String(d['slug'])}/`));
      expect(d['self_web_url']).toBe(`${fake.url}/dataservices/${String(d['slug'])}`);
      expect(Date.parse(String(d['metadata_modified_at']))).toBeGreaterThanOrEqual(Date.parse(String(d['created_at'])));
      expect(Object.keys(asObj(d['metrics'])).sort()).toEqual(['discussions', 'discussions_open', 'followers', 'reuses', 'views']);
    }
    expect(all()[0]).toMatchObject({ title: real['title'], slug: real['slug'], base_api_url: real['base_api_url'], tags: real['tags'] });
  });

  it('vary: both kinds of publisher, every access type, served datasets from none to many', () => {
    const items = all();
    expect(items.some((d) => d['owner'] !== null)).toBe(true);
    expect(new Set(items.map((d) => d['access_type']))).toEqual(new Set(['open', 'restricted', 'open_with_account']));
    const totals = items.map((d) => Number(asObj(d['datasets'])['total']));
    expect(totals.filter((t) => t === 0).length).toBeGreaterThan(10);
    expect(totals.filter((t) => t === 1).length).toBeGreaterThan(5);
    expect(Math.max(...totals)).toBeGreaterThan(5);
    expect(new Set(items.map((d) => d['title'])).size).toBeGreaterThan(items.length / 2);
    expect(items.some((d) => tagsOf(d).length === 0) && items.some((d) => tagsOf(d).length > 1)).toBe(true);
  });

  it('hide a few in production-like shares, and publish live ones with null archived_at and deleted_at', () => {
    const c = new FakeCatalog(3, { datasets: 400, organizations: 30, reuses: 10, users: 100, dataservices: 2000 }, true);
    const items = c.list('dataservices').map(asObj);
    const share = (test: (d: Obj) => boolean): number => items.filter(test).length / items.length;
    expect(share((d) => d['archived_at'] !== null)).toBeGreaterThan(0.01);
    expect(share((d) => d['deleted_at'] !== null)).toBeGreaterThan(0.001);
    expect(share((d) => d['private'] === true)).toBeGreaterThan(0.01);
    expect(share((d) => d['owner'] !== null)).toBeGreaterThan(0.05);
    expect(c.visible('dataservices').length / items.length).toBeGreaterThan(0.9);
    for (const id of c.visible('dataservices')) expect(asObj(c.get('dataservices', id))).toMatchObject({ archived_at: null, deleted_at: null, private: false });
  });

  it('are byte-identical for the same seed, differ for another, and leave the other kinds byte-identical', () => {
    const counts = { datasets: 120, organizations: 10, reuses: 12, users: 50 };
    const dump = (c: FakeCatalog, kinds: Array<'datasets' | 'organizations' | 'reuses' | 'users' | 'dataservices'>): string => {
      c.setBaseUrl('http://fake.test');
      return JSON.stringify(kinds.map((k) => [c.list(k), c.visible(k)]));
    };
    const withServices = (seed: number, n: number): FakeCatalog => new FakeCatalog(seed, { ...counts, dataservices: n }, true);
    expect(dump(withServices(6, 40), ['dataservices'])).toBe(dump(withServices(6, 40), ['dataservices']));
    expect(dump(withServices(7, 40), ['dataservices'])).not.toBe(dump(withServices(6, 40), ['dataservices']));
    const others = ['datasets', 'organizations', 'reuses', 'users'] as const;
    expect(dump(withServices(6, 40), [...others])).toBe(dump(withServices(6, 0), [...others]));
  });
});

describe('GET /api/1/dataservices/', () => {
  it('answers the real envelope over the visible ones, walks to the last page and 404s past it', async () => {
    const visible = fake.catalog.visible('dataservices');
    const first = asObj((await getJson(api('dataservices/?page_size=7&sort=title'))).body);
    expect(Object.keys(first).sort()).toEqual(['data', 'next_page', 'page', 'page_size', 'previous_page', 'total']);
    expect(first['total']).toBe(visible.length);
    expect(Object.fromEntries(new URL(String(first['next_page'])).searchParams)).toEqual({ page_size: '7', sort: 'title', page: '2' });
    const lastPage = Math.ceil(visible.length / 7);
    const last = await getJson(api(`dataservices/?page_size=7&page=${lastPage}`));
    expect(asObj(last.body)['next_page']).toBeNull();
    expect(dataOf(last)).toHaveLength(visible.length - (lastPage - 1) * 7);
    expect(await getJson(api(`dataservices/?page_size=7&page=${lastPage + 1}`))).toMatchObject({ status: 404, body: readFixture('error-404.json') });
  });

  it('lists none of the private, archived or deleted ones', async () => {
    const listed = new Set(await walk(api('dataservices/?page_size=50')));
    const live = (d: Obj): boolean => !d['private'] && d['archived_at'] === null && d['deleted_at'] === null;
    expect(all().filter((d) => !live(d)).length).toBeGreaterThan(0);
    for (const d of all()) expect(listed.has(String(d['id']))).toBe(live(d));
  });

  it.each(['created', '-created', 'last_modified', '-last_modified', 'title', '-title', 'base_api_url'])(
    'concatenates pages sorted by %s without duplicate or gap, ties broken by id',
    async (sort) => {
      const ids = await walk(api(`dataservices/?page_size=7&sort=${sort}`));
      expect(ids).toEqual(dataOf(await getJson(api(`dataservices/?page_size=1000&sort=${sort}`))).map((d) => d['id']));
      expect([...ids].sort()).toEqual([...fake.catalog.visible('dataservices')].sort());
      const field = { created: 'created_at', last_modified: 'metadata_modified_at', title: 'title', base_api_url: 'base_api_url' }[sort.replace('-', '')] ?? '';
      const value = (id: string): string => String(byId(id)[field] ?? '');
      const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
      const expected = [...ids].sort((a, b) => cmp(value(a), value(b)) || cmp(a, b));
      expect(ids).toEqual(sort.startsWith('-') ? expected.reverse() : expected);
    },
  );

  it('orders by creation without sort, as Mongo returns an unsorted query', async () => {
    expect(await walk(api('dataservices/?page_size=9'))).toEqual(await walk(api('dataservices/?page_size=9&sort=created')));
  });

  it.each(['sort=views', 'sort=-last_update', 'page=0', 'page_size=x'])('rejects %s with a 400 validation error', async (query) => {
    const got = await getJson(api(`dataservices/?${query}`));
    expect(got.status).toBe(400);
    expect(Object.keys(asObj(asObj(got.body)['errors']))).toEqual([query.split('=')[0]]);
  });
});

describe('dataservices filters', () => {
  const idsOf = async (query: string): Promise<string[]> => walk(api(`dataservices/?page_size=10&${query}`));

  it('filters by organization and by owner', async () => {
    const orgId = String(refId(all().find((d) => d['organization'] && fake.catalog.visible('dataservices').includes(String(d['id'])))?.['organization']));
    expect(await idsOf(`organization=${orgId}`)).toEqual(visibleWhere((d) => refId(d['organization']) === orgId));
    const ownerId = String(refId(all().find((d) => d['owner'])?.['owner']));
    const owned = visibleWhere((d) => refId(d['owner']) === ownerId);
    expect(owned.length).toBeGreaterThan(0);
    expect(await idsOf(`owner=${ownerId}`)).toEqual(owned);
  });

  it('filters by served dataset and by tag, and ANDs filters', async () => {
    const served = (d: Obj, id: string): boolean => fake.catalog.all('dataservices').find((e) => e.id === d['id'])?.row.datasets.includes(id) ?? false;
    const datasetId = fake.catalog.all('dataservices').find((e) => e.row.datasets.length > 0 && !e.row.private && !e.row.deleted && !e.row.archived)?.row.datasets[0] ?? '';
    const serving = visibleWhere((d) => served(d, datasetId));
    expect(serving.length).toBeGreaterThan(0);
    expect(await idsOf(`dataset=${datasetId}`)).toEqual(serving);
    const tag = String(tagsOf(byId(visibleWhere((d) => tagsOf(d).length > 0 && d['organization'] !== null)[1] ?? ''))[0]);
    const tagged = visibleWhere((d) => tagsOf(d).includes(tag));
    expect(tagged.length).toBeGreaterThan(1);
    expect(await idsOf(`tag=${encodeURIComponent(tag)}`)).toEqual(tagged);
    const orgId = String(refId(byId(tagged.find((id) => byId(id)['organization'] !== null) ?? '')['organization']));
    expect(await idsOf(`tag=${tag}&organization=${orgId}`)).toEqual(tagged.filter((id) => refId(byId(id)['organization']) === orgId));
    expect(await idsOf('tag=no-such-tag')).toEqual([]);
  });

  it.each(['organization', 'owner', 'dataset'])('answers 400 with a message for a %s that is not an ObjectId', async (param) => {
    expect(await getJson(api(`dataservices/?${param}=abc`))).toMatchObject({ status: 400, body: { message: `\`${param}\` must be an identifier` } });
    expect(asObj((await getJson(api(`dataservices/?${param}=000000000000000000000000`))).body)).toMatchObject({ data: [], total: 0 });
  });
});

describe('dataservice items, masks and served datasets', () => {
  it('serves an item by id and by slug identically, and 404s an unknown one', async () => {
    const d = byId(fake.catalog.visible('dataservices')[2] ?? '');
    const got = await getJson(api(`dataservices/${String(d['id'])}/`));
    expect(got).toMatchObject({ status: 200, body: d });
    expect((await getJson(api(`dataservices/${String(d['slug'])}/`))).body).toEqual(got.body);
    expect(await getJson(api('dataservices/000000000000000000000000/'))).toMatchObject({ status: 404, body: readFixture('error-404.json') });
  });

  it('masks the listing, its elements and the datasets link, and items', async () => {
    const got = await getJson(api('dataservices/?page_size=4'), { 'X-Fields': 'data{id,metadata_modified_at,datasets{total}},total' });
    expect(Object.keys(asObj(got.body)).sort()).toEqual(['data', 'total']);
    for (const d of dataOf(got)) expect(d).toEqual({ id: d['id'], metadata_modified_at: expect.any(String), datasets: { total: expect.any(Number) } });
    const id = visibleWhere((d) => d['organization'] !== null)[0] ?? '';
    const orgId = refId(byId(id)['organization']);
    expect((await getJson(api(`dataservices/${id}/`), { 'X-Fields': 'id,owner{id},organization{id}' })).body).toEqual({ id, owner: null, organization: { id: orgId } });
  });

  it('lists through ?dataservice= exactly the datasets each link counts', async () => {
    for (const d of all()) {
      const link = asObj(d['datasets']);
      const ids = await walk(`${String(link['href'])}&page_size=4`, { 'X-Fields': 'data{id},next_page' });
      expect(ids).toHaveLength(Number(link['total']));
      const stored = fake.catalog.all('dataservices').find((e) => e.id === d['id'])?.row.datasets ?? [];
      expect([...ids].sort()).toEqual([...stored].sort());
      for (const id of ids) expect(fake.catalog.visible('datasets')).toContain(id);
    }
  });

  it('answers 400 for a dataservice filter that is not an ObjectId, and ignores an unknown one as udata does', async () => {
    expect(await getJson(api('datasets/?dataservice=api-adresse'))).toMatchObject({ status: 400, body: { message: 'Dataservice arg must be an identifier' } });
    const unknown = asObj((await getJson(api('datasets/?dataservice=000000000000000000000000'))).body);
    expect(unknown['total']).toBe(fake.catalog.visible('datasets').length);
  });
});
