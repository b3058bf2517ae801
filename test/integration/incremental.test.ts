// Incremental sync after one scripted day of changes: exactly the expected changes, confirmed
// deletions, nothing from volatile bumps, and far fewer requests than a full sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changesOf, startHarness, type Harness } from '../support/harness.ts';

type Obj = Record<string, unknown> & { id: string };

describe('incremental sync', () => {
  let h: Harness;
  let fullRequests = 0;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 300, organizations: 20, reuses: 40, users: 150 } } });
  });
  afterAll(async () => h?.close());

  it('runs full first, then incremental by default', async () => {
    const first = await h.sync();
    expect(first).toMatchObject({ mode: 'full', status: 'succeeded' });
    fullRequests = first.counts.requests;
    const second = await h.sync();
    expect(second).toMatchObject({ mode: 'incremental', status: 'succeeded' });
    expect(await changesOf(h.database.sql, second.runId)).toEqual([]);
  });

  it('records one scripted day exactly, confirms deletions and ignores volatile bumps', async () => {
    const { catalog } = h.fake;
    const linked = new Set((await h.database.sql`select dataset_id from reuse_datasets`).map((r) => r.dataset_id as string));
    const free = catalog.visible('datasets').filter((id) => !linked.has(id));
    const [edited1, edited2, withNew, withRemoved, deleted, purged, archived, privated] = free as string[];
    const resourcesOf = (id: string) => (catalog.get('datasets', id) as Obj & { resources: Obj[] }).resources;
    const deletedResources = [deleted!, purged!, privated!].flatMap((id) => resourcesOf(id).map((r) => r.id));
    const removedResource = resourcesOf(withRemoved!)[0]!.id;

    catalog.editDataset(edited1!, { title: 'Nouveau titre 1' });
    catalog.editDataset(edited2!, { title: 'Nouveau titre 2', tags: ['x'] });
    const added = [catalog.addDataset({ title: 'Ajouté 1' }) as Obj, catalog.addDataset({ title: 'Ajouté 2' }) as Obj];
    const addedResources = added.flatMap((d) => (d.resources as Obj[]).map((r) => r.id));
    const newResource = catalog.addResource(withNew!) as Obj;
    catalog.removeResource(withRemoved!, removedResource);
    catalog.deleteDataset(deleted!);
    catalog.purgeDataset(purged!);
    catalog.archiveDataset(archived!);
    catalog.makeDatasetPrivate(privated!);
    const org = catalog.visible('organizations')[0]!;
    catalog.editOrganization(org, { name: 'Organisation renommée' });
    const reuse = catalog.visible('reuses')[0]!;
    catalog.deleteReuse(reuse);
    catalog.bumpMetrics();
    catalog.touchCrawlerExtras();
    h.fake.resetStats();

    const outcome = await h.sync();
    expect(outcome.error).toBeUndefined();
    expect(outcome).toMatchObject({ mode: 'incremental', status: 'succeeded' });
    const changes = (await changesOf(h.database.sql, outcome.runId)).filter(
      (c) => !(c.entity_type === 'user' && c.op === 'insert'), // owners of the added datasets, if new
    );
    const got = changes.map((c) => `${c.entity_type}:${c.entity_id}:${c.op}`).sort();
    const expected = [
      `dataset:${edited1}:update`, `dataset:${edited2}:update`,
      ...added.map((d) => `dataset:${d.id}:insert`), ...addedResources.map((id) => `resource:${id}:insert`),
      `dataset:${withNew}:update`, `resource:${newResource.id}:insert`,
      `dataset:${withRemoved}:update`, `resource:${removedResource}:delete`,
      `dataset:${deleted}:delete`, `dataset:${purged}:delete`, `dataset:${privated}:delete`,
      ...deletedResources.map((id) => `resource:${id}:delete`),
      `dataset:${archived}:update`,
      `organization:${org}:update`,
      `reuse:${reuse}:delete`,
    ].sort();
    expect(got).toEqual(expected);
    expect(changes.find((c) => c.entity_id === edited1)!.changed_fields).toContain('title');
    expect(changes.find((c) => c.entity_id === archived)!.changed_fields).toContain('archived');

    const tombstones = await h.database.sql`
      select id, deletion_reason from datasets where deleted_at is not null order by id`;
    expect(Object.fromEntries(tombstones.map((t) => [t.id, t.deletion_reason]))).toEqual({
      [deleted!]: 'deleted', [purged!]: 'not_found', [privated!]: 'not_found',
    });
    const [arch] = await h.database.sql`select archived_at, deleted_at from datasets where id = ${archived!}`;
    expect(arch!.archived_at).not.toBeNull();
    expect(arch!.deleted_at).toBeNull();
    const orphans = await h.database.sql`select deletion_reason, count(*)::int as n from resources
      where id = any(${deletedResources}) group by 1`;
    expect(orphans).toEqual([{ deletion_reason: 'dataset_deleted', n: deletedResources.length }]);
    expect(await h.database.sql`select * from reuse_datasets where reuse_id = ${reuse}`).toEqual([]);
    const [reuseRow] = await h.database.sql`select deletion_reason from reuses where id = ${reuse}`;
    expect(reuseRow!.deletion_reason).toBe('deleted');

    const ratio = h.fake.stats.requests / fullRequests;
    console.info(`incremental/full requests: ${h.fake.stats.requests}/${fullRequests} = ${ratio.toFixed(3)}`);
    expect(ratio).toBeLessThan(0.25);
    expect(h.fake.stats.log.some((e) => e.headers['x-fields']?.includes('last_modified_internal'))).toBe(true);
  });

  it('keeps a daily snapshot of every metric seen in the manifest', async () => {
    const datasetId = h.fake.catalog.visible('datasets')[10]!;
    const [snapshot] = await h.database.sql`select metrics from metric_snapshots
      where entity_type = 'dataset' and entity_id = ${datasetId} and day = (now() at time zone 'UTC')::date`;
    expect(snapshot!.metrics).toEqual((h.fake.catalog.get('datasets', datasetId) as Obj).metrics);
  });

  it('restores an entity that comes back', async () => {
    const [gone] = await h.database.sql`select id from datasets where deletion_reason = 'deleted'`;
    h.fake.catalog.restoreDataset(gone!.id as string);
    const outcome = await h.sync();
    const changes = await changesOf(h.database.sql, outcome.runId);
    expect(changes.filter((c) => c.entity_type === 'dataset')).toEqual([
      expect.objectContaining({ entity_id: gone!.id, op: 'restore' }),
    ]);
    const [row] = await h.database.sql`select deleted_at, deletion_reason from datasets where id = ${gone!.id as string}`;
    expect(row).toEqual({ deleted_at: null, deletion_reason: null });
  });

  it('tombstones nothing when a manifest page is lost for good', async () => {
    const victim = h.fake.catalog.visible('datasets')[0]!;
    h.fake.catalog.deleteDataset(victim);
    await h.fake.setFaults({ match: /\/api\/1\/datasets\/\?.*page=2(&|$)/, failTimes: 1_000, errorStatuses: [503] });
    const outcome = await h.sync({ kinds: ['datasets'] });
    await h.fake.clearFaults();
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/could not be fetched/);
    const [row] = await h.database.sql`select deleted_at from datasets where id = ${victim}`;
    expect(row!.deleted_at).toBeNull();
    h.fake.catalog.restoreDataset(victim);
  });

  it('refuses a sweep above the cap and says why', async () => {
    const victims = h.fake.catalog.visible('datasets').slice(0, 30);
    for (const id of victims) h.fake.catalog.deleteDataset(id);
    h.fake.resetStats();
    const outcome = await h.sync({ kinds: ['datasets'] });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/Deletion sweep of datasets refused: 30 of \d+ live rows .* above the 5\.0% cap/);
    const [count] = await h.database.sql`select count(*)::int as n from datasets where id = any(${victims}) and deleted_at is not null`;
    expect(count!.n).toBe(0);
    // The cap is checked before any candidate is fetched: no burst of item requests.
    expect(h.fake.stats.byRoute['GET /api/1/datasets/{id}/'] ?? 0).toBe(0);
  });
});

describe('incremental sync against a server that ignores X-Fields', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 60, organizations: 6, reuses: 10, users: 40 } } });
  });
  afterAll(async () => h?.close());

  it('still records exactly the edited, added and deleted datasets from a manifest of full objects', async () => {
    expect(await h.sync({ mode: 'full' })).toMatchObject({ status: 'succeeded' });
    const { catalog } = h.fake;
    const linked = new Set((await h.database.sql`select dataset_id from reuse_datasets`).map((r) => r.dataset_id as string));
    const [edited, deleted] = catalog.visible('datasets').filter((id) => !linked.has(id)) as string[];
    const deletedResources = (catalog.get('datasets', deleted!) as Obj & { resources: Obj[] }).resources.map((r) => r.id);
    catalog.editDataset(edited!, { title: 'Titre vu sans masque' });
    const added = catalog.addDataset({ title: 'Ajouté sans masque' }) as Obj & { resources: Obj[] };
    catalog.deleteDataset(deleted!);
    await h.fake.setFaults({ ignoreFieldMask: true });
    h.fake.resetStats();

    const outcome = await h.sync({ mode: 'incremental' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('succeeded');
    // The manifest asked for a mask and got full objects back.
    expect(h.fake.stats.faultsInjected['ignoredMask']).toBeGreaterThan(0);
    const changes = (await changesOf(h.database.sql, outcome.runId)).filter(
      (c) => !(c.entity_type === 'user' && c.op === 'insert'), // the added dataset's owner, if new
    );
    expect(changes.map((c) => `${c.entity_type}:${c.entity_id}:${c.op}`).sort()).toEqual(
      [
        `dataset:${edited}:update`,
        `dataset:${added.id}:insert`, ...added.resources.map((r) => `resource:${r.id}:insert`),
        `dataset:${deleted}:delete`, ...deletedResources.map((id) => `resource:${id}:delete`),
      ].sort(),
    );
    expect(changes.find((c) => c.entity_id === edited)!.changed_fields).toContain('title');
    const [row] = await h.database.sql`select deletion_reason from datasets where id = ${deleted!}`;
    expect(row!.deletion_reason).toBe('deleted');
    // Nothing unchanged was fetched again by id: only the edited, added and deleted datasets.
    const byId = h.fake.stats.log.filter((e) => /^\/api\/1\/datasets\/[^/]+\/$/.test(e.path)).map((e) => e.path.split('/')[4]);
    expect(byId.sort()).toEqual([edited, added.id, deleted].sort());
  });
});

describe('analyst views', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 40, organizations: 6, reuses: 8, users: 30 } } });
  });
  afterAll(async () => h?.close());

  it('show the live catalog and count changes per day, entity type and organization', async () => {
    await h.sync({ mode: 'full' });
    const victim = h.fake.catalog.visible('datasets')[0]!;
    const org = (h.fake.catalog.get('datasets', victim) as Obj & { organization: Obj | null }).organization?.id ?? null;
    h.fake.catalog.deleteDataset(victim);
    const outcome = await h.sync({ mode: 'incremental', kinds: ['datasets'] });
    expect(outcome.status).toBe('succeeded');
    const live = await h.database.sql`select id from live_datasets order by id`;
    expect(live.map((r) => r.id)).toEqual(h.fake.catalog.visible('datasets').sort());
    const orphaned = await h.database.sql`select count(*)::int as n from live_resources where dataset_id = ${victim}`;
    expect(orphaned[0]!.n).toBe(0);
    const perDay = await h.database.sql`select organization_id, changes from changes_per_day
      where entity_type = 'dataset' and op = 'delete' and day = (now() at time zone 'UTC')::date`;
    expect(perDay).toEqual([{ organization_id: org, changes: 1 }]);
    const [inserts] = await h.database.sql`select sum(changes)::int as n from changes_per_day where entity_type = 'dataset' and op = 'insert'`;
    expect(inserts!.n).toBe(live.length + 1);
  });
});

describe('users in an incremental run', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      fake: { counts: { datasets: 40, organizations: 6, reuses: 8, users: 40 } },
      context: { usersPerRun: 4 },
    });
  });
  afterAll(async () => h?.close());

  it('fetches newly referenced users and refreshes known ones in rotation, the longest unfetched first', async () => {
    await h.sync({ mode: 'full' });
    const known = (await h.database.sql`select id from users where deleted_at is null order by id`).map((r) => r.id as string);
    expect(known.length).toBeGreaterThan(8);
    h.fake.catalog.editUser(known[0]!, { first_name: 'Renommée' });
    const order: string[] = [];
    let recorded = false;
    // Each run takes the 4 users fetched longest ago: within ceil(n / 4) runs every user is refreshed once.
    for (let i = 0; i < Math.ceil(known.length / 4); i++) {
      h.fake.resetStats();
      const outcome = await h.sync({ mode: 'incremental', kinds: ['users'] });
      const fetched = h.fake.stats.log.filter((e) => /^\/api\/1\/users\/[^/]+\/$/.test(e.path)).map((e) => e.path.split('/')[4]!);
      expect(fetched).toHaveLength(4);
      order.push(...fetched);
      const changes = await changesOf(h.database.sql, outcome.runId);
      if (changes.some((c) => c.entity_id === known[0] && c.op === 'update' && c.changed_fields.includes('first_name'))) recorded = true;
    }
    expect(new Set(order.slice(0, known.length))).toEqual(new Set(known));
    expect(recorded).toBe(true);

    const newcomer = h.fake.catalog.addUser({ first_name: 'Nouvelle' }) as Obj;
    const dataset = h.fake.catalog.visible('datasets')[0]!;
    h.fake.catalog.editDataset(dataset, { owner: { class: 'User', id: newcomer.id, slug: newcomer.slug as string }, organization: null });
    const outcome = await h.sync({ mode: 'incremental' });
    expect(outcome.status).toBe('succeeded');
    const [row] = await h.database.sql`select first_name from users where id = ${newcomer.id}`;
    expect(row!.first_name).toBe('Nouvelle');
  });
});
