// Dataservices, the catalog's APIs, added as a kind: a full sync mirrors them and the datasets they
// serve; an incremental run records an edit, a deletion (410), an archive, a dataset linked and one
// unlinked, and nothing for a metric bump, fetching links only for what moved; a re-harvest of an
// organization covers its dataservices only; the queue gives the same mirror.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLinks } from '../../src/harvest/fetch-links.ts';
import { harvestOrganization } from '../../src/harvest/harvest-org.ts';
import { KINDS_BY_TYPE } from '../../src/harvest/kinds/index.ts';
import { changesOf, ids, mirrorState, startHarness, type Harness } from '../support/harness.ts';
import { startQueueBed, type QueueBed } from '../support/queue-bed.ts';

const FAKE = { seed: 7, publicUrl: 'https://www.data.gouv.fr', counts: { datasets: 80, organizations: 8, reuses: 6, users: 40, dataservices: 30 } };

type Obj = Record<string, unknown> & { id: string };

/** The served datasets of each visible dataservice, as the fake's datasets listing says. */
async function servedByFake(h: Harness): Promise<string[]> {
  const pairs: string[] = [];
  for (const id of h.fake.catalog.visible('dataservices')) {
    const res = await fetch(`${h.fake.url}/api/1/datasets/?dataservice=${id}&page_size=1000`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Obj[] };
    for (const d of body.data) pairs.push(`${id}:${d.id}`);
  }
  return pairs.sort();
}

async function servedByMirror(h: Harness): Promise<string[]> {
  const rows = await h.database.sql<{ pair: string }[]>`select dataservice_id || ':' || dataset_id as pair from dataservice_datasets order by 1`;
  return rows.map((r) => r.pair);
}

describe('dataservices', () => {
  let h: Harness;
  beforeAll(async () => {
    // A day deletes one and archives one of 30: above the default 5% sweep cap.
    h = await startHarness({ fake: FAKE, context: { sweepMaxShare: 0.2 } });
  });
  afterAll(async () => h?.close());

  it('a full sync mirrors every visible dataservice, its typed columns and the datasets it serves', async () => {
    const run = await h.sync({ mode: 'full' });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');
    expect(await ids(h.database.sql, 'dataservices')).toEqual([...h.fake.catalog.visible('dataservices')].sort());
    const served = await servedByFake(h);
    expect(served.length).toBeGreaterThan(0);
    expect(await servedByMirror(h)).toEqual(served);
    const sample = h.fake.catalog.get('dataservices', h.fake.catalog.visible('dataservices')[0]!) as Obj;
    const [row] = await h.database.sql`select title, base_api_url, last_modified, datasets_count, raw from dataservices where id = ${sample.id}`;
    expect(row).toMatchObject({ title: sample.title, base_api_url: sample.base_api_url, datasets_count: (sample.datasets as { total: number }).total });
    expect(new Date(row!.last_modified as string).toISOString()).toBe(new Date(sample.metadata_modified_at as string).toISOString());
    expect(row!.raw).toEqual(sample);
    const again = await h.sync({ mode: 'full' });
    expect(await changesOf(h.database.sql, again.runId)).toEqual([]);
    // The run state of the first run was dropped when the second opened; the second's is still there.
    const state = await h.database.sql<{ run_id: number; n: number }[]>`select run_id::int, count(*)::int as n from run_seen_ids group by 1`;
    expect(state.map((r) => r.run_id)).toEqual([again.runId]);
    expect(state[0]!.n).toBeGreaterThan(h.fake.catalog.visible('dataservices').length);
  });

  it('an incremental run records an edit, a deletion, an archive, a link and an unlink, and nothing for metrics', async () => {
    const { catalog } = h.fake;
    const all = catalog.visible('dataservices');
    const serving = all.filter((id) => ((catalog.get('dataservices', id) as Obj).datasets as { total: number }).total > 0);
    const idle = all.filter((id) => !serving.includes(id));
    const [edited, deleted, archived] = idle as string[];
    const [unlinkFrom] = serving as string[];
    const linkTo = idle[3]!;
    const dataset = catalog.visible('datasets')[0]!;
    const unlinked = (await servedByMirror(h)).find((p) => p.startsWith(`${unlinkFrom}:`))!.split(':')[1]!;
    catalog.editDataservice(edited!, { title: 'API renommée' });
    catalog.deleteDataservice(deleted!);
    catalog.archiveDataservice(archived!);
    catalog.linkDataset(linkTo, dataset);
    catalog.unlinkDataset(unlinkFrom!, unlinked);
    catalog.bumpMetrics();
    h.fake.resetStats();

    const run = await h.sync();
    expect(run.error).toBeUndefined();
    expect(run).toMatchObject({ mode: 'incremental', status: 'succeeded' });
    const changes = (await changesOf(h.database.sql, run.runId)).filter((c) => c.entity_type === 'dataservice');
    expect(changes.map((c) => `${c.entity_id}:${c.op}`).sort()).toEqual(
      [`${edited}:update`, `${deleted}:delete`, `${archived}:update`, `${linkTo}:update`, `${unlinkFrom}:update`].sort(),
    );
    expect(changes.find((c) => c.entity_id === edited)!.changed_fields).toContain('title');
    const [gone] = await h.database.sql`select deletion_reason from dataservices where id = ${deleted!}`;
    expect(gone!.deletion_reason).toBe('deleted');
    const [kept] = await h.database.sql`select deleted_at, archived_at from dataservices where id = ${archived!}`;
    expect(kept!.deleted_at).toBeNull();
    expect(kept!.archived_at).not.toBeNull();
    const pairs = await servedByMirror(h);
    expect(pairs).toContain(`${linkTo}:${dataset}`);
    expect(pairs).not.toContain(`${unlinkFrom}:${unlinked}`);
    expect(pairs.some((p) => p.startsWith(`${deleted}:`))).toBe(false);
    // Links are read only for the dataservices whose stamp moved and that still serve datasets.
    const stillServes = ((catalog.get('dataservices', unlinkFrom!) as Obj).datasets as { total: number }).total > 0;
    const linkReads = h.fake.stats.log.filter((l) => l.path === '/api/1/datasets/' && l.query.includes('dataservice='));
    expect(new Set(linkReads.map((l) => new URLSearchParams(l.query).get('dataservice')))).toEqual(new Set([linkTo, ...(stillServes ? [unlinkFrom] : [])]));
  });

  it('a re-harvest of an organization refreshes its dataservices and sweeps only those', async () => {
    const { catalog } = h.fake;
    const owned = (await h.database.sql<{ id: string; organization_id: string }[]>`
      select id, organization_id from dataservices where deleted_at is null and organization_id is not null order by id`);
    const org = owned[0]!.organization_id;
    const mine = owned.filter((d) => d.organization_id === org).map((d) => d.id);
    const other = owned.find((d) => d.organization_id !== org)!.id;
    catalog.editDataservice(mine[0]!, { title: 'Titre de la re-moisson' });
    catalog.deleteDataservice(other); // not this organization's: left for the next full or incremental run
    if (mine[1]) catalog.deleteDataservice(mine[1]);
    const outcome = await harvestOrganization(h.ctx, org);
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('succeeded');
    const changes = (await changesOf(h.database.sql, outcome.runId)).filter((c) => c.entity_type === 'dataservice');
    expect(changes.map((c) => `${c.entity_id}:${c.op}`).sort()).toEqual(
      [`${mine[0]}:update`, ...(mine[1] ? [`${mine[1]}:delete`] : [])].sort(),
    );
    const [untouched] = await h.database.sql`select deleted_at from dataservices where id = ${other}`;
    expect(untouched!.deleted_at).toBeNull();
  });
});

describe('dataservice links', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: FAKE });
  });
  afterAll(async () => h?.close());

  it('are not taken from a datasets listing that ignored the filter (the dataservice was purged meanwhile)', async () => {
    const { catalog } = h.fake;
    const id = catalog.visible('dataservices').find((d) => ((catalog.get('dataservices', d) as Obj).datasets as { total: number }).total > 0)!;
    const item = catalog.get('dataservices', id) as Obj;
    catalog.purgeDataservice(id); // the filter now names nothing: the API answers the whole listing
    const failures: string[] = [];
    const links = await fetchLinks(h.http, KINDS_BY_TYPE.dataservice, [item], { onFailure: (failed) => failures.push(failed) });
    expect(failures).toEqual([id]);
    expect(links?.has(id)).toBe(false);
  });
});

describe('dataservices on the queue', () => {
  let queued: Harness;
  let local: Harness;
  let bed: QueueBed;

  beforeAll(async () => {
    [queued, local] = await Promise.all([startHarness({ fake: FAKE }), startHarness({ fake: FAKE })]);
    bed = await startQueueBed(queued, { DATAGOUV_PAGE_SIZE: '10' });
  });
  afterAll(async () => {
    await bed?.close();
    await Promise.all([queued?.close(), local?.close()]);
  });

  it('mirrors the same dataservices and links as an in-process run', async () => {
    const run = await bed.sync({ mode: 'full' });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect((await local.sync({ mode: 'full' })).status).toBe('succeeded');
    expect(await ids(queued.database.sql, 'dataservices')).toEqual(await ids(local.database.sql, 'dataservices'));
    expect(await servedByMirror(queued)).toEqual(await servedByMirror(local));
    expect(await mirrorState(queued)).toEqual(await mirrorState(local));
  });
});
