// HTTP tests of the fake's listings: envelope, paging, validation, sorting, filters, masks, admin-only users (touches HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { asList, asObj, dataOf, getJson, walk } from './test-helpers.ts';

let fake: FakeDatagouv;
const api = (path: string): string => `${fake.url}/api/1/${path}`;

beforeAll(async () => {
  fake = await startFakeDatagouv({ seed: 7, counts: { datasets: 45, organizations: 5, reuses: 12, users: 30 } });
});
afterAll(async () => {
  await fake.close();
});

describe('listing envelope and paging', () => {
  it('answers the real envelope with absolute links that keep the other arguments', async () => {
    const got = await getJson(api('datasets/?page_size=10&sort=title'));
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/json');
    const body = asObj(got.body);
    expect(Object.keys(body).sort()).toEqual(['data', 'next_page', 'page', 'page_size', 'previous_page', 'total']);
    expect(body['total']).toBe(fake.catalog.visible('datasets').length);
    expect(body['previous_page']).toBeNull();
    const next = new URL(String(body['next_page']));
    expect(next.origin + next.pathname).toBe(api('datasets/'));
    expect(Object.fromEntries(next.searchParams)).toEqual({ page_size: '10', sort: 'title', page: '2' });
  });

  it('walks to the last page, then answers 404 past it', async () => {
    const total = fake.catalog.visible('datasets').length;
    const lastPage = Math.ceil(total / 10);
    const last = await getJson(api(`datasets/?page_size=10&page=${lastPage}`));
    expect(asObj(last.body)['next_page']).toBeNull();
    expect(asObj(last.body)['previous_page']).toContain(`page=${lastPage - 1}`);
    expect(dataOf(last)).toHaveLength(total - (lastPage - 1) * 10);
    const past = await getJson(api(`datasets/?page_size=10&page=${lastPage + 1}`));
    expect(past.status).toBe(404);
    expect(asObj(past.body)['message']).toMatch(/^The requested URL was not found/);
  });

  it('answers 200 with an empty page 1 when nothing matches', async () => {
    const got = await getJson(api('datasets/?owner=000000000000000000000000'));
    expect(got.status).toBe(200);
    expect(asObj(got.body)).toMatchObject({ data: [], total: 0, next_page: null });
  });

  it.each(['page=0', 'page=-1', 'page=x', 'page_size=0', 'page_size=2.5', 'sort=modified', 'sort=-last_modified', 'organization=abc', 'owner=123'])(
    'rejects %s with a 400 validation error',
    async (query) => {
      const got = await getJson(api(`datasets/?${query}`));
      expect(got.status).toBe(400);
      const body = asObj(got.body);
      expect(body['message']).toBe('Input payload validation failed');
      expect(Object.keys(asObj(body['errors']))).toEqual([query.split('=')[0]]);
    },
  );

  it('answers 502 for page_size above 1000 as production does, and 200 at 1000', async () => {
    expect((await getJson(api('datasets/?page_size=1001'))).status).toBe(502);
    expect((await getJson(api('datasets/?page_size=1000'))).status).toBe(200);
  });
});

describe('sorting', () => {
  it.each([
    ['datasets', 'created'], ['datasets', '-created'], ['datasets', 'last_update'], ['datasets', '-views'], ['datasets', 'title'],
    ['organizations', '-last_modified'], ['organizations', 'name'], ['reuses', '-last_modified'], ['reuses', 'datasets'],
  ] as const)('concatenates %s pages sorted by %s without duplicate or gap', async (kind, sort) => {
    const ids = await walk(api(`${kind}/?page_size=4&sort=${sort}`));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...fake.catalog.visible(kind)].sort());
    const single = dataOf(await getJson(api(`${kind}/?page_size=1000&sort=${sort}`))).map((d) => d['id']);
    expect(ids).toEqual(single);
  });

  it('orders by -created by default with ties broken by id', async () => {
    const items = dataOf(await getJson(api('reuses/?page_size=100')));
    const keys = items.map((r) => `${String(r['created_at'])}|${String(r['id'])}`);
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('sorts datasets by last_update ascending', async () => {
    const stamps = dataOf(await getJson(api('datasets/?page_size=100&sort=last_update'))).map((d) => Date.parse(String(d['last_update'])));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });
});

describe('filters and visibility', () => {
  it('filters datasets and reuses by organization', async () => {
    const orgId = String(asObj(dataOf(await getJson(api('organizations/?sort=created&page_size=1')))[0])['id']);
    for (const kind of ['datasets', 'reuses'] as const) {
      const items = dataOf(await getJson(api(`${kind}/?organization=${orgId}&page_size=1000`)));
      for (const item of items) expect(asObj(item['organization'])['id']).toBe(orgId);
      const expected = fake.catalog.visible(kind).filter((id) => asObj(asObj(fake.catalog.get(kind, id))['organization'] ?? {})['id'] === orgId);
      expect(items.map((i) => i['id'])).toEqual(expected);
    }
  });

  it('hides private, deleted and archived datasets from the listing', async () => {
    const ids = new Set(dataOf(await getJson(api('datasets/?page_size=1000'))).map((d) => d['id']));
    for (const d of fake.catalog.list('datasets').map(asObj)) {
      expect(ids.has(d['id'])).toBe(!d['private'] && !d['deleted'] && !d['archived']);
    }
  });

  it('embeds full resources in datasets and full datasets in reuses', async () => {
    const dataset = dataOf(await getJson(api('datasets/?page_size=1')))[0];
    expect(asList(dataset?.['resources']).length).toBeGreaterThan(0);
    const reuse = dataOf(await getJson(api('reuses/?page_size=100'))).find((r) => asList(r['datasets']).length > 0);
    expect(asList(reuse?.['datasets'])[0]).toHaveProperty('resources');
  });
});

describe('X-Fields', () => {
  it('masks the envelope and each element, nested', async () => {
    const mask = 'data{id,last_modified,internal{last_modified_internal}},total,next_page';
    const got = await getJson(api('datasets/?page_size=3'), { 'X-Fields': mask });
    const body = asObj(got.body);
    expect(Object.keys(body).sort()).toEqual(['data', 'next_page', 'total']);
    for (const d of dataOf(got)) {
      expect(Object.keys(d).sort()).toEqual(['id', 'internal', 'last_modified']);
      expect(Object.keys(asObj(d['internal']))).toEqual(['last_modified_internal']);
    }
  });

  it('answers 400 for a malformed mask', async () => {
    expect((await getJson(api('datasets/'), { 'X-Fields': 'data{id' })).status).toBe(400);
  });
});

describe('users listing', () => {
  it('answers 401 without an API key and with a wrong one', async () => {
    const anon = await getJson(api('users/'));
    expect(anon.status).toBe(401);
    expect(typeof asObj(anon.body)['message']).toBe('string');
    expect((await getJson(api('users/'), { 'X-API-KEY': 'nope' })).status).toBe(401);
  });

  it('lists non-deleted users with emails for the admin key', async () => {
    const ids = await walk(api('users/?page_size=7'), { 'X-API-KEY': 'fake-admin-key' });
    expect(ids).toEqual(fake.catalog.visible('users'));
    const first = dataOf(await getJson(api('users/?page_size=1'), { 'X-API-KEY': 'fake-admin-key' }))[0];
    expect(String(first?.['email'])).toContain('@');
  });
});

describe('per-organization lists', () => {
  it('pages /organizations/{id}/datasets/ and returns /organizations/{id}/reuses/ as a plain array', async () => {
    const org = asObj(fake.catalog.list('organizations')[0]);
    const datasets = await getJson(api(`organizations/${String(org['id'])}/datasets/?page_size=2`));
    expect(Object.keys(asObj(datasets.body))).toContain('next_page');
    const reuses = await getJson(api(`organizations/${String(org['slug'])}/reuses/`));
    expect(Array.isArray(reuses.body)).toBe(true);
  });
});
