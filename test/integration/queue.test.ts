// The queue carries the same runs as the in-process commands: distributed full and incremental syncs,
// the nightly scheduler, organization re-harvests and their deduplication. Real Redis and PostgreSQL.
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/queue/connection.ts';
import { enqueueHarvestOrg, enqueueSync, waitForJob, waitForRunEnd } from '../../src/queue/enqueue.ts';
import { openQueue, type MirrorQueue } from '../../src/queue/queue.ts';
import { installNightlySchedule } from '../../src/queue/scheduler.ts';
import { startWorker, type RunningWorker } from '../../jobs/worker.ts';
import { changesOf, startHarness, type Harness, mirrorState } from '../support/harness.ts';
import { configEnv, obliterateQueue, testConfig, uniqueQueueName } from '../support/queue.ts';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The CLI as ops run it, with exactly the given configuration. */
function cli(args: string[], config: Config): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bin/mirror.ts', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...configEnv(config) }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
import type { Redis } from 'ioredis';

const FAKE = { seed: 11, publicUrl: 'https://www.data.gouv.fr', counts: { datasets: 90, organizations: 10, reuses: 16, users: 50 } };


describe('distributed sync on the queue', () => {
  let queued: Harness;
  let local: Harness;
  let worker: RunningWorker;
  let redis: Redis;
  let mirror: MirrorQueue;
  let config: Config;
  const queueName = uniqueQueueName();

  beforeAll(async () => {
    [queued, local] = await Promise.all([startHarness({ fake: FAKE }), startHarness({ fake: FAKE })]);
    config = testConfig({ DATABASE_URL: queued.database.url, DATAGOUV_BASE_URL: queued.fake.url, QUEUE_NAME: queueName, DATAGOUV_API_KEY: 'key-never-in-jobs' });
    worker = await startWorker(config, { concurrency: 4 });
    redis = createRedis(config.REDIS_URL);
    mirror = openQueue(redis, queueName);
  });
  afterAll(async () => {
    await worker?.stop();
    await mirror?.close();
    await redis?.quit();
    await obliterateQueue(queueName);
    await Promise.all([queued?.close(), local?.close()]);
  });

  async function queuedSync(data: Parameters<typeof enqueueSync>[1]) {
    const job = await enqueueSync(mirror.queue, data);
    const started = await waitForJob<{ runId: number; skipped?: boolean }>(redis, mirror.queue, job);
    expect(started.skipped).toBeUndefined();
    return waitForRunEnd(queued.database.db, started.runId, { intervalMs: 50 });
  }

  it('mirrors exactly what an in-process full sync mirrors, split into page jobs', async () => {
    const run = await queuedSync({ mode: 'full' });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect((await local.sync({ mode: 'full' })).status).toBe('succeeded');
    expect(await mirrorState(queued)).toEqual(await mirrorState(local));
    const pageJobs = (await mirror.queue.getJobs(['completed'])).filter((j: Job) => j.name === 'sync-pages');
    expect(pageJobs.length).toBeGreaterThanOrEqual(4);
    const [row] = await queued.database.sql`select * from sync_runs where id = ${run.id}`;
    expect(row!.inserted).toBe((await local.database.sql`select inserted from sync_runs order by id desc limit 1`)[0]!.inserted);
    expect(row!.requests).toBe(queued.fake.stats.requests);
  });

  it('runs an incremental sync with the same changes as in process', async () => {
    for (const h of [queued, local]) {
      const [a, b] = h.fake.catalog.visible('datasets') as string[];
      h.fake.catalog.editDataset(a!, { title: 'Édité' });
      const linked = new Set((await h.database.sql`select dataset_id from reuse_datasets`).map((r) => r.dataset_id as string));
      const free = h.fake.catalog.visible('datasets').filter((id) => !linked.has(id) && id !== a);
      h.fake.catalog.deleteDataset(free[0]!);
      h.fake.catalog.addResource(b!);
      h.fake.catalog.addDataset({ title: 'Nouveau' });
    }
    const run = await queuedSync({});
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental' });
    expect((await local.sync()).status).toBe('succeeded');
    expect(await mirrorState(queued)).toEqual(await mirrorState(local));
    expect((await changesOf(queued.database.sql, run.id)).length).toBeGreaterThan(3);
  });

  it('does not start a sync while another full or incremental run is in progress', async () => {
    const [open] = await queued.database.sql`insert into sync_runs (mode, kinds) values ('incremental', '{}') returning id`;
    const job = await enqueueSync(mirror.queue, { trigger: 'schedule' });
    const result = await waitForJob<{ skipped?: boolean; activeRunId?: number }>(redis, mirror.queue, job);
    expect(result).toMatchObject({ skipped: true, activeRunId: Number(open!.id) });
    await queued.database.sql`update sync_runs set status = 'failed', error = 'test' where id = ${open!.id}`;
  });

  it('plans the kinds side by side: their first pages are in flight together, and the plan keeps their order', async () => {
    const latencyMs = 400;
    const kinds = ['organizations', 'datasets', 'reuses'] as const;
    await queued.fake.setFaults({ latencyMs });
    const from = queued.fake.stats.log.length;
    let run: Awaited<ReturnType<typeof queuedSync>>;
    try {
      run = await queuedSync({ mode: 'full', kinds: [...kinds] });
      expect(run.status).toBe('succeeded');
    } finally {
      await queued.fake.clearFaults();
    }
    const answered = (kind: string) => {
      const entry = queued.fake.stats.log.slice(from).find((e) => e.path === `/api/1/${kind}/` && /(^|&)page=1(&|$)/.test(e.query));
      expect(entry, `page 1 of ${kind}`).toBeDefined();
      return Date.parse(entry!.at);
    };
    const times = kinds.map(answered);
    // One after another, the three answers would be at least two latencies apart.
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(latencyMs);
    const collect = (await mirror.queue.getJobs(['completed'])).find((j: Job) => j.name === 'sync-collect' && j.data.runId === run.id);
    expect(Object.keys(collect!.data.listings)).toEqual([...kinds]);
  });

  it('sync --queue --wait exits like the in-process command, and no job carries the API key', async () => {
    const ok = await cli(['sync', '--queue', '--wait', '--kinds', 'organizations,datasets'], config);
    // Without a terminal --wait prints its progress as plain lines on stderr, and nothing else.
    expect(ok.stderr.split('\n').filter((l) => l && !/^run \d+: /.test(l))).toEqual([]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Queued sync job \S+ on dgm-test-/m);
    expect(ok.stdout).toMatch(/^Run \d+ \((full|incremental)\) succeeded/m);
    await queued.fake.setFaults({ match: /\/api\/1\/datasets\/\?/, failTimes: 1_000, errorStatuses: [500] });
    const failed = await cli(['sync', '--queue', '--wait', '--kinds', 'datasets'], config);
    await queued.fake.clearFaults();
    expect(failed.code).toBe(1);
    const sentences = failed.stderr.trim().split('\n').filter((l) => !/^run \d+: /.test(l));
    expect(sentences).toHaveLength(1);
    expect(sentences[0]).toMatch(/^Run \d+ failed: .*could not be fetched/);
    const jobs = await mirror.queue.getJobs(['completed', 'failed', 'waiting', 'active']);
    expect(jobs.length).toBeGreaterThan(0);
    expect(JSON.stringify(jobs.map((j) => j.data))).not.toContain('key-never-in-jobs');
  });

  it('runs shows the work queued and running', async () => {
    await worker.worker.pause();
    const job = await enqueueSync(mirror.queue, { mode: 'incremental', kinds: ['reuses'] });
    const shown = await cli(['runs', '--limit', '3'], config);
    await worker.worker.resume();
    await waitForJob(redis, mirror.queue, job).catch(() => undefined);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^Queue ${queueName}: 1 waiting`, 'm'));
    expect(shown.stdout).toMatch(new RegExp(`^${job.id}\\s+sync\\s+queued`, 'm'));
  });

  it('closes the run of a stage job that fails for good, with the reason', async () => {
    const [open] = await queued.database.sql`insert into sync_runs (mode, kinds) values ('full', '{}') returning id, uuid`;
    const runId = Number(open!.id);
    const job = await mirror.queue.add('sync-collect', { runId, runUuid: open!.uuid }); // malformed: no plan
    await expect(waitForJob(redis, mirror.queue, job)).rejects.toThrow(/malformed payload/);
    const run = await waitForRunEnd(queued.database.db, runId, { intervalMs: 20 });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^Job sync-collect \S+ failed for good: .*malformed payload/);
  });

  it('installs the nightly scheduler once, however many times it is asked', async () => {
    await installNightlySchedule(mirror.queue, { cron: '0 3 * * *', tz: 'Europe/Paris' });
    await installNightlySchedule(mirror.queue, { cron: '0 3 * * *', tz: 'Europe/Paris' });
    await installNightlySchedule(mirror.queue, { cron: '30 2 * * *', tz: 'Europe/Paris' });
    const schedulers = await mirror.queue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ key: 'nightly-sync', pattern: '30 2 * * *', tz: 'Europe/Paris' });
    await mirror.queue.removeJobScheduler('nightly-sync');
  });
});

describe('re-harvest of one organization', () => {
  let h: Harness;
  let worker: RunningWorker;
  let redis: Redis;
  let mirror: MirrorQueue;
  const queueName = uniqueQueueName();

  beforeAll(async () => {
    h = await startHarness({ fake: { seed: 5, counts: { datasets: 120, organizations: 6, reuses: 20, users: 40 } } });
    expect((await h.sync({ mode: 'full' })).status).toBe('succeeded');
    const config = testConfig({ DATABASE_URL: h.database.url, DATAGOUV_BASE_URL: h.fake.url, QUEUE_NAME: queueName });
    redis = createRedis(config.REDIS_URL);
    mirror = openQueue(redis, queueName);
    worker = await startWorker(config, { concurrency: 2 });
  });
  afterAll(async () => {
    await worker?.stop();
    await mirror?.close();
    await redis?.quit();
    await obliterateQueue(queueName);
    await h?.close();
  });

  /** The organization with the most datasets, and another one. */
  async function pickOrganizations(): Promise<[string, string]> {
    const rows = await h.database.sql`select organization_id as id from datasets where organization_id is not null and deleted_at is null
      group by 1 order by count(*) desc, 1`;
    return [rows[0]!.id as string, rows[1]!.id as string];
  }

  it('touches only that organization and tombstones only its deleted dataset', async () => {
    const [org, other] = await pickOrganizations();
    const ofOrg = (await h.database.sql`select id from datasets where organization_id = ${org} and deleted_at is null order by id`).map((r) => r.id as string);
    const ofOther = (await h.database.sql`select id from datasets where organization_id = ${other} and deleted_at is null order by id`).map((r) => r.id as string);
    h.fake.catalog.deleteDataset(ofOrg[0]!);
    h.fake.catalog.editDataset(ofOrg[1]!, { title: 'Retitré' });
    h.fake.catalog.deleteDataset(ofOther[0]!); // outside the scope: must stay untouched
    h.fake.catalog.editDataset(ofOther[1]!, { title: 'Hors périmètre' });
    h.fake.catalog.editOrganization(org, { name: 'Renommée pour la moisson' });
    h.fake.resetStats();

    const { job } = await enqueueHarvestOrg(mirror.queue, org);
    const result = await waitForJob<{ runId: number; status: string }>(redis, mirror.queue, job);
    expect(result.status).toBe('succeeded');
    const [run] = await h.database.sql`select mode, scope, status from sync_runs where id = ${result.runId}`;
    expect(run).toEqual({ mode: 'organization', scope: org, status: 'succeeded' });
    const changes = await changesOf(h.database.sql, result.runId);
    const datasetChanges = changes.filter((c) => c.entity_type === 'dataset').map((c) => `${c.entity_id}:${c.op}`).sort();
    expect(datasetChanges).toEqual([`${ofOrg[0]}:delete`, `${ofOrg[1]}:update`].sort());
    expect(changes.filter((c) => c.entity_type === 'organization').map((c) => c.entity_id)).toEqual([org]);
    const [outside] = await h.database.sql`select deleted_at, title from datasets where id = ${ofOther[0]!}`;
    expect(outside!.deleted_at).toBeNull();
    const listings = h.fake.stats.log.filter((e) => e.path === '/api/1/datasets/' || e.path === '/api/1/reuses/');
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.every((e) => new URLSearchParams(e.query).get('organization') === org)).toBe(true);
  });

  it('joins a request for an organization whose re-harvest is already queued or running', async () => {
    const [, other] = await pickOrganizations();
    await worker.worker.pause(); // keeps the first request queued
    const first = await enqueueHarvestOrg(mirror.queue, other);
    const second = await enqueueHarvestOrg(mirror.queue, other);
    expect(first.deduplicated).toBe(false);
    expect(second).toMatchObject({ deduplicated: true });
    expect(second.job.id).toBe(first.job.id);
    worker.worker.resume();
    await waitForJob(redis, mirror.queue, first.job);
    const runs = await h.database.sql`select count(*)::int as n from sync_runs where mode = 'organization' and scope = ${other}`;
    expect(runs[0]!.n).toBe(1);
  });

  it('refuses a malformed key before any request and an unknown one with a clear message', async () => {
    const { harvestOrganization } = await import('../../src/harvest/harvest-org.ts');
    h.fake.resetStats();
    await expect(harvestOrganization(h.ctx, '../etc/passwd')).rejects.toThrow(/not an organization id or slug/);
    expect(h.fake.stats.requests).toBe(0);
    await expect(harvestOrganization(h.ctx, 'no-such-organization')).rejects.toThrow(/No organization "no-such-organization"/);
  });

  it('runs in process too, with the same scoped sweep', async () => {
    const { harvestOrganization } = await import('../../src/harvest/harvest-org.ts');
    const [org] = await pickOrganizations();
    const slug = ((await h.database.sql`select slug from organizations where id = ${org}`)[0]!.slug) as string;
    const outcome = await harvestOrganization(h.ctx, slug);
    expect(outcome).toMatchObject({ status: 'succeeded', mode: 'organization', organizationId: org });
    expect(await changesOf(h.database.sql, outcome.runId)).toEqual([]);
  });
});
