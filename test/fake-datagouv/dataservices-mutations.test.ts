// Tests of dataservice mutations: metadata_modified_at, visibility, link totals and metrics, seen over HTTP (touches HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCatalog } from '../../src/fake-datagouv/catalog.ts';
import { readFixture } from '../../src/fake-datagouv/fixtures.ts';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { asObj, getJson, walk, type Obj } from './test-helpers.ts';

let fake: FakeDatagouv;
const api = (path: string): string => `${fake.url}/api/1/${path}`;
const item = async (id: string): Promise<Obj> => asObj((await getJson(api(`dataservices/${id}/`))).body);
const total = (d: Obj): number => Number(asObj(d['datasets'])['total']);
const modified = (d: Obj): number => Date.parse(String(d['metadata_modified_at']));
const listed = async (): Promise<string[]> => walk(api('dataservices/?page_size=100'));
const served = async (id: string): Promise<string[]> => walk(api(`datasets/?dataservice=${id}&page_size=100`), { 'X-Fields': 'data{id},next_page' });
/** The n-th visible dataservice serving no dataset, or serving some. */
const visibleServing = (some: boolean, n = 0): string =>
  fake.catalog.visible('dataservices').filter((id) => (total(asObj(fake.catalog.get('dataservices', id))) > 0) === some)[n] ?? '';
/** A visible dataset no dataservice serves yet, the n-th one. */
const freeDataset = (n = 0): string => {
  const taken = new Set(fake.catalog.all('dataservices').flatMap((e) => e.row.datasets));
  return fake.catalog.visible('datasets').filter((id) => !taken.has(id))[n] ?? '';
};

beforeAll(async () => {
  fake = await startFakeDatagouv({ seed: 12, counts: { datasets: 80, organizations: 6, reuses: 8, users: 30, dataservices: 40 } });
});
afterAll(async () => {
  await fake.close();
});

describe('dataservice mutations', () => {
  it('editDataservice moves metadata_modified_at to the catalog clock, strictly increasing, and changes what filters see', async () => {
    const id = visibleServing(false, 0);
    const before = await item(id);
    const a = fake.catalog.editDataservice(id, { title: 'API Hub’Eau – Piézométrie' });
    const b = fake.catalog.editDataservice(id, { tags: ['piezometrie'] });
    expect(modified(b) - modified(a)).toBeGreaterThanOrEqual(1000);
    expect(modified(a)).toBeGreaterThan(modified(before));
    const after = await item(id);
    expect(after).toMatchObject({ title: 'API Hub’Eau – Piézométrie', tags: ['piezometrie'], metadata_modified_at: fake.catalog.now(), created_at: before['created_at'] });
    expect(await walk(api('dataservices/?tag=piezometrie'))).toEqual([id]);
    expect((await walk(api('dataservices/?sort=-last_modified&page_size=1')))[0]).toBe(id);
  });

  it('addDataservice creates one now, last in creation order, serving the datasets it is given', async () => {
    const datasetIds = [freeDataset(0), freeDataset(1)];
    const added = fake.catalog.addDataservice({ title: 'API Nouvelle', datasets: datasetIds });
    expect(added).toMatchObject({ created_at: fake.catalog.now(), metadata_modified_at: fake.catalog.now(), archived_at: null, deleted_at: null, private: false });
    expect(total(added)).toBe(2);
    expect((await listed()).at(-1)).toBe(added['id']);
    expect((await walk(api('dataservices/?sort=-created&page_size=1')))[0]).toBe(added['id']);
    expect((await served(String(added['id']))).sort()).toEqual([...datasetIds].sort());
    expect(total(fake.catalog.addDataservice({ title: 'API Vide' }))).toBe(0);
  });

  it('deleteDataservice answers 410 and hides it; purgeDataservice answers 404 and drops the datasets filter', async () => {
    const [a, b] = [visibleServing(true, 0), visibleServing(true, 1)];
    const before = await item(a);
    const deleted = fake.catalog.deleteDataservice(a);
    expect(deleted).toMatchObject({ deleted_at: fake.catalog.now(), metadata_modified_at: fake.catalog.now() });
    expect(await getJson(api(`dataservices/${a}/`))).toMatchObject({ status: 410, body: { message: 'Dataservice has been deleted' } });
    expect(await listed()).not.toContain(a);
    expect(await served(a)).toHaveLength(total(before)); // still found, so still a filter
    expect(() => fake.catalog.linkDataset(a, freeDataset())).toThrow(/deleted/);
    fake.catalog.restoreDataservice(a);
    expect((await getJson(api(`dataservices/${a}/`))).status).toBe(200);
    fake.catalog.purgeDataservice(b);
    expect(await getJson(api(`dataservices/${b}/`))).toMatchObject({ status: 404, body: readFixture('error-404.json') });
    expect(await listed()).not.toContain(b);
    const all = asObj((await getJson(api(`datasets/?dataservice=${b}`))).body);
    expect(all['total']).toBe(fake.catalog.visible('datasets').length);
  });

  it('archiveDataservice hides it from the listing but its item answers 200 with archived_at; private ones answer 404', async () => {
    const [a, b] = [visibleServing(false, 1), visibleServing(false, 2)];
    const archived = fake.catalog.archiveDataservice(a);
    expect(archived).toMatchObject({ archived_at: fake.catalog.now(), metadata_modified_at: fake.catalog.now() });
    expect(await item(a)).toMatchObject({ id: a, archived_at: fake.catalog.now() });
    expect(await listed()).not.toContain(a);
    fake.catalog.makeDataservicePrivate(b);
    expect(await getJson(api(`dataservices/${b}/`))).toMatchObject({ status: 404, body: readFixture('error-404.json') });
    expect(await listed()).not.toContain(b);
  });

  it('linkDataset and unlinkDataset move metadata_modified_at and the link total; a repeated link moves nothing', async () => {
    const id = visibleServing(true, 2);
    const dataset = freeDataset(2);
    const before = await item(id);
    const linked = fake.catalog.linkDataset(id, dataset);
    expect(total(linked)).toBe(total(before) + 1);
    expect(linked['metadata_modified_at']).toBe(fake.catalog.now());
    expect(await served(id)).toContain(dataset);
    expect(await walk(api(`dataservices/?dataset=${dataset}`))).toEqual([id]);
    expect(fake.catalog.linkDataset(id, dataset)).toEqual(linked);
    const unlinked = fake.catalog.unlinkDataset(id, dataset);
    expect(total(unlinked)).toBe(total(before));
    expect(modified(unlinked)).toBeGreaterThan(modified(linked));
    expect(await served(id)).not.toContain(dataset);
    expect(() => fake.catalog.unlinkDataset(id, dataset)).toThrow(/does not serve/);
  });

  it('counts a hidden served dataset in the total, as udata counts the list, while ?dataservice= lists visible ones only', async () => {
    const id = visibleServing(false, 3);
    const dataset = freeDataset(3);
    fake.catalog.linkDataset(id, dataset);
    fake.catalog.makeDatasetPrivate(dataset);
    expect(total(await item(id))).toBe(1);
    expect(await served(id)).toEqual([]);
  });

  it('purging a served dataset pulls it out: the total drops, metadata_modified_at stays, the dataset filter finds nothing', async () => {
    const id = visibleServing(false, 4);
    const dataset = freeDataset(4);
    const linked = fake.catalog.linkDataset(id, dataset);
    fake.catalog.deleteDataset(dataset);
    fake.catalog.purgeDataset(dataset);
    const after = await item(id);
    expect(total(after)).toBe(total(linked) - 1);
    expect(after['metadata_modified_at']).toBe(linked['metadata_modified_at']);
    expect(await walk(api(`dataservices/?dataset=${dataset}`))).toEqual([]);
  });

  it('bumpMetrics changes every metrics value of dataservices, generated and mutated ones, and no stamp', () => {
    const stamps = (d: Obj): unknown[] => [d['created_at'], d['metadata_modified_at'], d['archived_at'], d['deleted_at']];
    const before = fake.catalog.list('dataservices').map(asObj);
    fake.catalog.bumpMetrics('dataservices');
    const after = fake.catalog.list('dataservices').map(asObj);
    expect(after).toHaveLength(before.length);
    after.forEach((d, i) => {
      const old = before[i] ?? {};
      expect(stamps(d)).toEqual(stamps(old));
      for (const [k, v] of Object.entries(asObj(d['metrics']))) expect(v).not.toBe(asObj(old['metrics'])[k]);
    });
  });

  it('discovers owners of dataservices only when asked for them', () => {
    const user = String(fake.catalog.addUser({ first_name: 'Maëlle', last_name: 'Bégué' })['id']);
    const id = visibleServing(false, 5);
    const moved = fake.catalog.editDataservice(id, { organization: null, owner: { class: 'User', id: user } });
    expect(asObj(moved['owner'])).toMatchObject({ class: 'User', id: user, last_name: 'Bégué' });
    expect(fake.catalog.referencedUserIds()).not.toContain(user);
    expect(fake.catalog.referencedUserIds(['dataservices'])).toContain(user);
  });

  it('gives the same stamps for the same mutation sequence', () => {
    const run = (): string => {
      const c = new FakeCatalog(5, { datasets: 40, organizations: 4, reuses: 4, users: 10, dataservices: 10 }, true);
      const [id] = c.visible('dataservices');
      c.editDataservice(id ?? '', { title: 'x' });
      c.linkDataset(id ?? '', c.visible('datasets')[0] ?? '');
      c.bumpMetrics();
      return JSON.stringify([c.get('dataservices', id ?? ''), c.addDataservice({ title: 'y' })]);
    };
    expect(run()).toBe(run());
  });
});
