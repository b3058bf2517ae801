// Tests of catalog mutations: their effect on listings, items and stamps, seen over HTTP (touches HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { readFixture } from '../../src/fake-datagouv/fixtures.ts';
import { asList, asObj, getJson, walk, type Obj } from './test-helpers.ts';

let fake: FakeDatagouv;
const api = (path: string): string => `${fake.url}/api/1/${path}`;
const item = async (path: string): Promise<Obj> => asObj((await getJson(api(path))).body);
const internal = (d: Obj): Obj => asObj(d['internal']);
/** A visible dataset that is not harvested, the n-th one. */
const localDataset = (n = 0): Obj =>
  fake.catalog.visible('datasets').map((id) => asObj(fake.catalog.get('datasets', id))).filter((d) => d['harvest'] === null && asList(d['resources']).length > 1)[n] ?? {};

beforeAll(async () => {
  fake = await startFakeDatagouv({ seed: 11, counts: { datasets: 60, organizations: 6, reuses: 15, users: 30 } });
});
afterAll(async () => {
  await fake.close();
});

describe('dataset mutations', () => {
  it('editDataset moves last_modified_internal and last_modified to the catalog clock, strictly increasing', async () => {
    const d = localDataset();
    const id = String(d['id']);
    const a = fake.catalog.editDataset(id, { title: 'Titre modifié – Évry' });
    const b = fake.catalog.editDataset(id, { tags: ['nouveau'] });
    expect(internal(a)['last_modified_internal']).toBe(a['last_modified']);
    expect(Date.parse(String(b['last_modified'])) - Date.parse(String(a['last_modified']))).toBeGreaterThanOrEqual(1000);
    const served = await item(`datasets/${id}/`);
    expect(served).toMatchObject({ title: 'Titre modifié – Évry', tags: ['nouveau'], last_modified: fake.catalog.now() });
    expect(Date.parse(String(served['last_modified']))).toBeGreaterThan(Date.parse(String(d['last_modified'])));
  });

  it('keeps the remote last_modified of a harvested dataset on edit', () => {
    const harvested = fake.catalog.list('datasets').map(asObj).find((d) => d['harvest'] !== null && !d['deleted']);
    if (!harvested) throw new Error('seed 11 has no harvested dataset');
    const after = fake.catalog.editDataset(String(harvested['id']), { description: 'x' });
    expect(after['last_modified']).toBe(asObj(harvested['harvest'])['modified_at']);
    expect(after['last_update']).toBe(asObj(harvested['harvest'])['modified_at']);
    expect(internal(after)['last_modified_internal']).toBe(fake.catalog.now());
  });

  it('addDataset puts a new dataset first in the default listing', async () => {
    const added = fake.catalog.addDataset({ title: 'Nouveau jeu' });
    const page = asList(asObj((await getJson(api('datasets/?page_size=1'))).body)['data']);
    expect(page[0]?.['id']).toBe(added['id']);
    expect(internal(added)['created_at_internal']).toBe(added['created_at']);
  });

  it('deleteDataset hides it and answers 410, purgeDataset answers 404, restoreDataset brings it back', async () => {
    const [a, b] = [localDataset(1), localDataset(2)].map((d) => String(d['id']));
    fake.catalog.deleteDataset(a ?? '');
    expect(await getJson(api(`datasets/${a}/`))).toMatchObject({ status: 410, body: { message: 'Dataset has been deleted' } });
    expect(fake.catalog.visible('datasets')).not.toContain(a);
    fake.catalog.restoreDataset(a ?? '');
    expect((await getJson(api(`datasets/${a}/`))).status).toBe(200);
    fake.catalog.deleteDataset(b ?? '');
    fake.catalog.purgeDataset(b ?? '');
    expect(await getJson(api(`datasets/${b}/`))).toMatchObject({ status: 404, body: readFixture('error-404.json') });
    expect(await walk(api('datasets/?page_size=50&sort=created'))).not.toContain(b);
  });

  it('archiveDataset hides it from /datasets/ but not from its item nor its organization list', async () => {
    const d = fake.catalog.list('datasets').map(asObj).find((x) => x['organization'] && !x['deleted'] && !x['private'] && !x['archived']) ?? {};
    const id = String(d['id']);
    fake.catalog.archiveDataset(id);
    expect(await walk(api('datasets/?page_size=50'))).not.toContain(id);
    expect((await item(`datasets/${id}/`))['archived']).toBe(fake.catalog.now());
    const orgId = String(asObj(d['organization'])['id']);
    expect(await walk(api(`organizations/${orgId}/datasets/?page_size=50`))).toContain(id);
  });

  it('makeDatasetPrivate hides it everywhere and answers 404', async () => {
    const d = localDataset(3);
    fake.catalog.makeDatasetPrivate(String(d['id']));
    expect((await getJson(api(`datasets/${String(d['id'])}/`))).status).toBe(404);
    expect(await walk(api('datasets/?page_size=50'))).not.toContain(d['id']);
  });
});

describe('resource mutations', () => {
  it('addResource, editResource and removeResource bump the dataset and recompute last_update', async () => {
    const id = String(localDataset(4)['id']);
    const added = fake.catalog.addResource(id, { title: 'annexe.pdf' });
    let d = await item(`datasets/${id}/`);
    expect(asList(d['resources'])[0]?.['id']).toBe(added['id']);
    expect(d['last_update']).toBe(added['last_modified']);
    expect(internal(d)['last_modified_internal']).toBe(fake.catalog.now());
    const edited = fake.catalog.editResource(id, String(added['id']), { description: 'mise à jour' });
    expect(internal(edited)['last_modified_internal']).toBe(fake.catalog.now());
    const before = Date.parse(String((await item(`datasets/${id}/`))['last_update']));
    fake.catalog.removeResource(id, String(added['id']));
    d = await item(`datasets/${id}/`);
    expect(asList(d['resources']).map((r) => r['id'])).not.toContain(added['id']);
    expect(internal(d)['last_modified_internal']).toBe(fake.catalog.now());
    expect(Date.parse(String(d['last_update']))).toBeLessThan(before); // last_update goes down: the newest resource left
    expect(fake.catalog.visible('datasets')).toContain(id);
  });
});

describe('organization, reuse and user mutations', () => {
  it('renaming an organization updates embedded references without moving dataset stamps', async () => {
    const d = fake.catalog.list('datasets').map(asObj).find((x) => x['organization'] && !x['deleted'] && !x['private']) ?? {};
    const orgId = String(asObj(d['organization'])['id']);
    const org = fake.catalog.editOrganization(orgId, { name: 'Préfecture renommée' });
    expect(org['last_modified']).toBe(fake.catalog.now());
    const after = await item(`datasets/${String(d['id'])}/`);
    expect(asObj(after['organization'])['name']).toBe('Préfecture renommée');
    expect(after['last_modified']).toBe(d['last_modified']);
    expect(internal(after)).toEqual(internal(d));
  });

  it('addMember and removeMember change members and bump last_modified; deleteOrganization answers 410', async () => {
    const orgId = fake.catalog.visible('organizations')[0] ?? '';
    const userId = fake.catalog.visible('users')[5] ?? '';
    const withMember = fake.catalog.addMember(orgId, userId, 'admin');
    const m = asList(withMember['members']).find((x) => asObj(x['user'])['id'] === userId);
    expect(m).toMatchObject({ role: 'admin', label: 'Administrateur', since: fake.catalog.now() });
    expect(fake.catalog.referencedUserIds()).toContain(userId);
    const without = fake.catalog.removeMember(orgId, userId);
    expect(asList(without['members']).some((x) => asObj(x['user'])['id'] === userId)).toBe(false);
    expect(without['last_modified']).toBe(fake.catalog.now());
    fake.catalog.deleteOrganization(orgId);
    expect(await getJson(api(`organizations/${orgId}/`))).toMatchObject({ status: 410, body: { message: 'Organization has been deleted' } });
    expect(await walk(api('organizations/'))).not.toContain(orgId);
  });

  it('archived reuses stay listed; private answer 404, deleted 410, purged 404', async () => {
    const [a, b, c, e] = fake.catalog.visible('reuses');
    const archived = fake.catalog.archiveReuse(a ?? '');
    expect(archived['last_modified']).toBe(fake.catalog.now());
    expect(await walk(api('reuses/'))).toContain(a);
    fake.catalog.makeReusePrivate(b ?? '');
    expect((await getJson(api(`reuses/${b}/`))).status).toBe(404);
    fake.catalog.deleteReuse(c ?? '');
    expect(await getJson(api(`reuses/${c}/`))).toMatchObject({ status: 410, body: { message: 'This reuse has been deleted' } });
    fake.catalog.purgeReuse(e ?? '');
    expect((await getJson(api(`reuses/${e}/`))).status).toBe(404);
    expect(await walk(api('reuses/'))).not.toEqual(expect.arrayContaining([b, c, e]));
    const added = fake.catalog.addReuse({ title: 'Carte interactive' });
    expect(fake.catalog.visible('reuses')[0]).toBe(added['id']);
  });

  it('renaming a user updates owner references; deleteUser answers 410 and leaves the admin listing', async () => {
    const d = fake.catalog.list('datasets').map(asObj).find((x) => x['owner'] && !x['deleted'] && !x['private']);
    if (!d) throw new Error('seed 11 has no user-owned dataset');
    const userId = String(asObj(d['owner'])['id']);
    expect(fake.catalog.referencedUserIds()).toContain(userId);
    fake.catalog.editUser(userId, { last_name: 'Lefèvre-Noël' });
    expect(asObj((await item(`datasets/${String(d['id'])}/`))['owner'])['last_name']).toBe('Lefèvre-Noël');
    fake.catalog.deleteUser(userId);
    expect(await getJson(api(`users/${userId}/`))).toMatchObject({ status: 410, body: { message: 'User has been deleted' } });
    expect(await walk(api('users/?page_size=100'), { 'X-API-KEY': 'fake-admin-key' })).not.toContain(userId);
    fake.catalog.purgeUser(userId);
    expect((await getJson(api(`users/${userId}/`))).status).toBe(404);
  });
});

describe('volatile changes and raw plants', () => {
  const stamps = (o: Obj): unknown[] => [o['last_modified'], o['last_update'], o['internal'], o['created_at'], asList(o['resources'] ?? []).map((r) => [r['last_modified'], r['internal']])];

  it('bumpMetrics changes every metrics value and no stamp', () => {
    const before = fake.catalog.list('datasets').map(asObj);
    const orgsBefore = fake.catalog.list('organizations').map(asObj);
    fake.catalog.bumpMetrics();
    const after = fake.catalog.list('datasets').map(asObj);
    after.forEach((d, i) => {
      const old = before[i] ?? {};
      expect(stamps(d)).toEqual(stamps(old));
      for (const [k, v] of Object.entries(asObj(d['metrics']))) if (typeof v === 'number') expect(v).not.toBe(asObj(old['metrics'])[k]);
    });
    fake.catalog.list('organizations').map(asObj).forEach((o, i) => expect(o['last_modified']).toBe(orgsBefore[i]?.['last_modified']));
  });

  it('touchCrawlerExtras changes check:* heartbeats and no stamp', () => {
    const before = fake.catalog.list('datasets').map(asObj);
    fake.catalog.touchCrawlerExtras();
    const after = fake.catalog.list('datasets').map(asObj);
    after.forEach((d, i) => {
      const old = before[i] ?? {};
      expect(stamps(d)).toEqual(stamps(old));
      asList(d['resources']).forEach((r, j) => {
        const oldExtras = asObj(asList(old['resources'])[j]?.['extras']);
        expect(asObj(r['extras'])['check:date']).not.toBe(oldExtras['check:date']);
      });
    });
  });

  it('setRaw plants a malformed record that the listing serves as-is', async () => {
    const id = fake.catalog.visible('reuses')[0] ?? '';
    const raw = { ...asObj(fake.catalog.get('reuses', id)), id: 42, created_at: 'not a date' };
    fake.catalog.setRaw('reuses', id, raw);
    const served = asList(asObj((await getJson(api('reuses/?page_size=100'))).body)['data']).find((r) => r['id'] === 42);
    expect(served).toEqual(raw);
  });
});
