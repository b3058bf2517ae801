// Full sync against the fake data.gouv.fr and a real PostgreSQL: completeness, idempotence, changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS_BY_TYPE } from '../../src/harvest/kinds/index.ts';
import { trackedOf } from '../../src/harvest/store-entities.ts';
import { changesOf, ids, rowVersions, startHarness, type Harness } from '../support/harness.ts';

type Obj = Record<string, unknown> & { id: string };

async function getJson(h: Harness, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${h.fake.url}${path}`);
  return { status: res.status, body: await res.json() };
}

/** Users a client without admin key can discover: referenced by visible entities and answering 200. */
async function discoverableUsers(h: Harness): Promise<string[]> {
  const found: string[] = [];
  for (const id of h.fake.catalog.referencedUserIds()) {
    if ((await getJson(h, `/api/1/users/${id}/`)).status === 200) found.push(id);
  }
  return found.sort();
}

describe('full sync', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('mirrors exactly the visible catalog, field by field, links included', async () => {
    const outcome = await h.sync({ mode: 'full' });
    const syncLog = [...h.fake.stats.log]; // the checks below ask the fake too
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('succeeded');
    const { catalog } = h.fake;
    expect(await ids(h.database.sql, 'datasets')).toEqual([...catalog.visible('datasets')].sort());
    expect(await ids(h.database.sql, 'organizations')).toEqual([...catalog.visible('organizations')].sort());
    expect(await ids(h.database.sql, 'reuses')).toEqual([...catalog.visible('reuses')].sort());
    expect(await ids(h.database.sql, 'users')).toEqual(await discoverableUsers(h));

    const datasetIds = catalog.visible('datasets');
    const sample = [datasetIds[0]!, datasetIds[Math.floor(datasetIds.length / 2)]!, datasetIds.at(-1)!];
    for (const id of sample) {
      const item = (await getJson(h, `/api/1/datasets/${id}/`)).body as Obj & { resources: Obj[]; organization: Obj | null };
      const [row] = await h.database.sql`select * from datasets where id = ${id}`;
      const { resources, ...withoutResources } = item;
      expect(row!.raw).toEqual(withoutResources);
      expect(row).toMatchObject({ title: item.title, slug: item.slug, organization_id: item.organization?.id ?? null, tags: item.tags });
      expect(new Date(row!.created_at as string).getTime()).toBe(Date.parse(item.created_at as string));
      const stored = await h.database.sql`select id, raw, dataset_id from resources where dataset_id = ${id} and deleted_at is null order by id`;
      expect(stored.map((r) => r.id)).toEqual(resources.map((r) => r.id).sort());
      for (const resource of resources) expect(stored.find((r) => r.id === resource.id)!.raw).toEqual(resource);
    }

    const [reuseId] = catalog.visible('reuses');
    const reuse = (await getJson(h, `/api/1/reuses/${reuseId}/`)).body as Obj & { datasets: Obj[] };
    const links = await h.database.sql`select dataset_id from reuse_datasets where reuse_id = ${reuseId!} order by dataset_id`;
    expect(links.map((l) => l.dataset_id)).toEqual(reuse.datasets.map((d) => d.id).sort());

    for (const orgId of catalog.visible('organizations').slice(0, 3)) {
      const org = (await getJson(h, `/api/1/organizations/${orgId}/`)).body as Obj & { members: Array<{ role: string; user: Obj }> };
      const members = await h.database.sql`select user_id, role from organization_members where organization_id = ${orgId} order by user_id`;
      expect(members.map((m) => [m.user_id, m.role])).toEqual(
        org.members.map((m) => [m.user.id, m.role]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    }

    const [run] = await h.database.sql`select * from sync_runs where id = ${outcome.runId}`;
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', rejected: 0 });
    expect(run!.inserted).toBeGreaterThan(datasetIds.length);
    expect(run!.requests).toBeGreaterThan(0);
    expect((run!.completeness as Record<string, { complete: boolean }>).datasets!.complete).toBe(true);
    // Users are fetched while the listings are walked, then the rest: each one asked for once, all mirrored.
    const userGets = syncLog.filter((e) => /^\/api\/1\/users\/[^/]+\/$/.test(e.path)).map((e) => e.path);
    expect(userGets.length).toBeGreaterThan(0);
    expect(new Set(userGets).size).toBe(userGets.length);
    const [missing] = await h.database.sql`
      select count(*)::int as n from (select owner_id as id from datasets union select owner_id from reuses union select user_id from organization_members) r
       where id is not null and not exists (select 1 from users u where u.id = r.id)`;
    expect(missing!.n).toBe(0);
    const inserts = await changesOf(h.database.sql, outcome.runId);
    expect(inserts.every((c) => c.op === 'insert')).toBe(true);
    expect(inserts.filter((c) => c.entity_type === 'dataset')).toHaveLength(datasetIds.length);
  });

  it("records each change with its entity's organization, as the entity tables say", async () => {
    const rows = await h.database.sql<{ entity_type: string; n: number; with_org: number; wrong: number }[]>`
      select c.entity_type, count(*)::int as n, count(c.organization_id)::int as with_org,
             count(*) filter (where c.organization_id is distinct from case c.entity_type
               when 'organization' then (select o.id from organizations o where o.id = c.entity_id)
               when 'dataset' then (select d.organization_id from datasets d where d.id = c.entity_id)
               when 'resource' then (select d.organization_id from resources r join datasets d on d.id = r.dataset_id where r.id = c.entity_id)
               when 'reuse' then (select u.organization_id from reuses u where u.id = c.entity_id)
               when 'dataservice' then (select s.organization_id from dataservices s where s.id = c.entity_id)
             end)::int as wrong
        from changes c group by 1 order by 1`;
    expect(rows.map((r) => r.entity_type)).toEqual(expect.arrayContaining(['dataset', 'organization', 'resource', 'reuse', 'user']));
    for (const row of rows) expect(row, row.entity_type).toMatchObject({ wrong: 0 });
    // An insert's patch is the one `add` of its whole tracked object (stored once: no `new_values`).
    const [shape] = await h.database.sql<{ n: number; bad: number }[]>`
      select count(*)::int as n,
             count(*) filter (where jsonb_array_length(patch) <> 1 or patch->0->>'op' <> 'add' or patch->0->>'path' <> ''
                              or jsonb_typeof(patch->0->'value') <> 'object' or new_values is not null or old_values is not null)::int as bad
        from changes where op = 'insert'`;
    expect(shape).toEqual({ n: expect.any(Number), bad: 0 });
    expect(shape!.n).toBeGreaterThan(100);
    // That object is the tracked form of what the entity tables hold after a first load (a resource's
    // with its dataset's id).
    for (const type of ['dataset', 'resource'] as const) {
      const kind = KINDS_BY_TYPE[type];
      const stored = await h.database.sql.unsafe<{ raw: Record<string, unknown>; parent: string | null; value: unknown }[]>(
        `select e.raw, ${type === 'resource' ? 'e.dataset_id' : 'null::text'} as parent, c.patch->0->'value' as value
           from changes c join ${kind.table} e on e.id = c.entity_id where c.op = 'insert' and c.entity_type = $1`,
        [type],
      );
      expect(stored.length, type).toBeGreaterThan(10);
      for (const row of stored) expect(row.value, type).toEqual(trackedOf(kind, row.raw, row.parent));
    }
    // Not vacuous: most datasets and resources belong to an organization, no user does.
    for (const type of ['dataset', 'resource', 'organization']) expect(rows.find((r) => r.entity_type === type)!.with_org).toBeGreaterThan(0);
    expect(rows.find((r) => r.entity_type === 'user')!.with_org).toBe(0);
  });

  it('writes no change and rewrites no row when the source is unchanged', async () => {
    const before = await rowVersions(h.database.sql);
    const outcome = await h.sync({ mode: 'full' });
    expect(outcome.status).toBe('succeeded');
    expect(await changesOf(h.database.sql, outcome.runId)).toEqual([]);
    expect(await rowVersions(h.database.sql)).toEqual(before);
    expect(outcome.counts).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
  });

  it('records exactly the real edits, by id for references, and nothing for volatile bumps', async () => {
    const { catalog } = h.fake;
    const [a, b, c] = catalog.visible('datasets') as string[];
    const datasetA = catalog.get('datasets', a!) as Obj;
    catalog.editDataset(a!, { title: 'Titre modifié — ünïcode', tags: ['nouveau', 'tag'] });
    const datasetB = catalog.get('datasets', b!) as Obj & { resources: Obj[] };
    const resourceB = datasetB.resources[0]!;
    catalog.editResource(b!, resourceB.id, { checksum: { type: 'sha256', value: 'f'.repeat(64) } });
    const added = catalog.addResource(c!) as Obj;
    const orgId = (datasetA.organization as Obj | null)?.id ?? catalog.visible('organizations')[0]!;
    catalog.editOrganization(orgId, { name: 'Organisation renommée' });
    catalog.bumpMetrics();
    catalog.touchCrawlerExtras();

    const outcome = await h.sync({ mode: 'full' });
    expect(outcome.status).toBe('succeeded');
    const changes = await changesOf(h.database.sql, outcome.runId);
    const summary = changes.map((ch) => `${ch.entity_type}:${ch.entity_id}:${ch.op}`).sort();
    expect(summary).toEqual(
      [
        `dataset:${a}:update`, `dataset:${b}:update`, `dataset:${c}:update`,
        `resource:${resourceB.id}:update`, `resource:${added.id}:insert`, `organization:${orgId}:update`,
      ].sort(),
    );
    const titleChange = changes.find((ch) => ch.entity_id === a)!;
    expect(titleChange.changed_fields).toEqual(expect.arrayContaining(['title', 'tags']));
    expect(titleChange.changed_fields).not.toContain('metrics');
    expect(titleChange.patch).toContainEqual({ op: 'replace', path: '/title', value: 'Titre modifié — ünïcode' });
    const checksumChange = changes.find((ch) => ch.entity_id === resourceB.id)!;
    expect(checksumChange.changed_fields).toContain('checksum');
    expect(checksumChange.changed_fields.some((f) => f === 'extras' || f === 'metrics')).toBe(false);
    const orgChange = changes.find((ch) => ch.entity_type === 'organization')!;
    expect(orgChange.changed_fields).toContain('name');

    // Volatile values are stored all the same: the row holds the bumped metrics.
    const [row] = await h.database.sql`select raw from datasets where id = ${a!}`;
    expect((row!.raw as Obj).metrics).toEqual((catalog.get('datasets', a!) as Obj).metrics);
    const [checksum] = await h.database.sql`select checksum_value from resources where id = ${resourceB.id}`;
    expect(checksum!.checksum_value).toBe('f'.repeat(64));
  });

  it('tombstones a resource removed from its dataset and records the deletion', async () => {
    const { catalog } = h.fake;
    const datasetId = catalog.visible('datasets')[3]!;
    const dataset = catalog.get('datasets', datasetId) as Obj & { resources: Obj[] };
    const removed = dataset.resources[0]!;
    catalog.removeResource(datasetId, removed.id);
    const outcome = await h.sync({ mode: 'full' });
    const [row] = await h.database.sql`select deleted_at, deletion_reason from resources where id = ${removed.id}`;
    expect(row!.deletion_reason).toBe('removed');
    expect(row!.deleted_at).not.toBeNull();
    const changes = await changesOf(h.database.sql, outcome.runId);
    expect(changes.filter((ch) => ch.entity_type === 'resource')).toEqual([
      expect.objectContaining({ entity_id: removed.id, op: 'delete' }),
    ]);
  });

  it('stores the rest of a page when one record is invalid, and keeps the rejected record', async () => {
    const { catalog } = h.fake;
    const victim = catalog.visible('datasets')[5]!;
    const [before] = await h.database.sql`select raw_hash from datasets where id = ${victim}`;
    catalog.setRaw('datasets', victim, { ...(catalog.get('datasets', victim) as Obj), created_at: 'not a date', title: 'Changed too' });
    const fresh = catalog.addDataset({ title: 'Un nouveau jeu de données' }) as Obj;
    const outcome = await h.sync({ mode: 'full' });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.counts.rejected).toBe(1);
    const rejected = await h.database.sql`select * from rejected_records where run_id = ${outcome.runId}`;
    expect(rejected).toEqual([
      expect.objectContaining({ entity_type: 'dataset', entity_id: victim, reason: expect.stringContaining('created_at') }),
    ]);
    expect((rejected[0]!.payload as Obj).title).toBe('Changed too');
    expect(rejected[0]!.source_url).toMatch(/^\/api\/1\/datasets\/\?.*page=/);
    // The previous good version stays, not tombstoned; the other records of the page are stored.
    const [after] = await h.database.sql`select raw_hash, deleted_at from datasets where id = ${victim}`;
    expect(after).toEqual({ raw_hash: before!.raw_hash, deleted_at: null });
    expect(await ids(h.database.sql, 'datasets', `id = '${fresh.id}'`)).toEqual([fresh.id]);
  });

  it('confirms deletions by id: 410 and 404 are tombstoned with their resources, an archived dataset stays alive', async () => {
    const { catalog } = h.fake;
    const linked = new Set((await h.database.sql`select dataset_id from reuse_datasets`).map((r) => r.dataset_id as string));
    const rejected = new Set((await h.database.sql`select entity_id from rejected_records`).map((r) => r.entity_id as string));
    // The oldest datasets: untouched by the tests above, linked from no reuse, valid.
    const free = catalog.visible('datasets').filter((id) => !linked.has(id) && !rejected.has(id));
    const [deleted, purged, archived] = free.slice(-3) as string[];
    const resourcesOf = (id: string) => (catalog.get('datasets', id) as Obj & { resources: Obj[] }).resources.map((r) => r.id);
    const deletedResources = resourcesOf(deleted!);
    const purgedResources = resourcesOf(purged!);
    expect(deletedResources.length + purgedResources.length).toBeGreaterThan(0);
    catalog.deleteDataset(deleted!);
    catalog.purgeDataset(purged!);
    catalog.archiveDataset(archived!);
    h.fake.resetStats();

    const outcome = await h.sync({ mode: 'full' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('succeeded');
    // Each candidate was confirmed by id, and only those three.
    const byId = h.fake.stats.log
      .filter((e) => /^\/api\/1\/datasets\/[^/]+\/$/.test(e.path))
      .map((e) => `${e.path.split('/')[4]}:${e.status}`);
    expect(byId.sort()).toEqual([`${deleted}:410`, `${purged}:404`, `${archived}:200`].sort());

    const changes = await changesOf(h.database.sql, outcome.runId);
    expect(changes.map((c) => `${c.entity_type}:${c.entity_id}:${c.op}`).sort()).toEqual(
      [
        `dataset:${deleted}:delete`, `dataset:${purged}:delete`, `dataset:${archived}:update`,
        ...[...deletedResources, ...purgedResources].map((id) => `resource:${id}:delete`),
      ].sort(),
    );
    const rows = await h.database.sql`select id, deleted_at is not null as gone, deletion_reason, archived_at
      from datasets where id = any(${[deleted!, purged!, archived!]})`;
    const byRow = Object.fromEntries(rows.map((r) => [r.id as string, r]));
    expect(byRow[deleted!]).toMatchObject({ gone: true, deletion_reason: 'deleted' });
    expect(byRow[purged!]).toMatchObject({ gone: true, deletion_reason: 'not_found' });
    expect(byRow[archived!]).toMatchObject({ gone: false, deletion_reason: null });
    expect(byRow[archived!]!.archived_at).not.toBeNull();
    const orphans = await h.database.sql`select deletion_reason, count(*)::int as n from resources
      where id = any(${[...deletedResources, ...purgedResources]}) and deleted_at is not null group by 1`;
    expect(orphans).toEqual([{ deletion_reason: 'dataset_deleted', n: deletedResources.length + purgedResources.length }]);
  });
});

describe('full sync with an admin key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ apiKey: 'fake-admin-key', fake: { adminKey: 'fake-admin-key' } });
  });
  afterAll(async () => h?.close());

  it('walks the users listing and mirrors every listed user, referenced or not', async () => {
    const outcome = await h.sync({ mode: 'full' });
    expect(outcome.status).toBe('succeeded');
    expect(await ids(h.database.sql, 'users')).toEqual([...h.fake.catalog.visible('users')].sort());
    expect(h.fake.stats.byRoute['GET /api/1/users/{id}/'] ?? 0).toBe(0);
    expect(h.fake.stats.log.some((e) => e.path === '/api/1/users/' && e.headers['has-api-key'])).toBe(true);
  });
});

describe('users of a full sync without an admin key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 400, organizations: 30, reuses: 20, users: 600 } } });
  });
  afterAll(async () => h?.close());

  it('are fetched while the listings are walked, each one once', async () => {
    const outcome = await h.sync({ mode: 'full' });
    expect(outcome.status, outcome.error).toBe('succeeded');
    const log = [...h.fake.stats.log];
    const isUser = (path: string) => /^\/api\/1\/users\/[^/]+\/$/.test(path);
    const lastListingPage = log.findLastIndex((e) => e.path === '/api/1/datasets/' && !e.query.includes('dataservice='));
    const firstUser = log.findIndex((e) => isUser(e.path));
    expect(firstUser).toBeGreaterThan(-1);
    expect(firstUser).toBeLessThan(lastListingPage);
    const users = log.filter((e) => isUser(e.path)).map((e) => e.path);
    expect(new Set(users).size).toBe(users.length);
    expect(users.length).toBeGreaterThan(100);
  });
});
