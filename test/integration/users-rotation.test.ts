// Known users carry no modification stamp: each incremental run refreshes a share of them, so that
// every one is refreshed once per USERS_REFRESH_DAYS runs, and newly referenced users come first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/api/http-client.ts';
import { createLocalBudget } from '../../src/api/request-budget.ts';
import { runSync } from '../../src/harvest/run-sync.ts';
import { changesOf, startHarness, type Harness } from '../support/harness.ts';

describe('users rotation by share', () => {
  let h: Harness;
  beforeAll(async () => {
    // usersPerRun unset: the share of the population applies.
    h = await startHarness({ fake: { counts: { datasets: 40, organizations: 6, reuses: 8, users: 40 } }, context: { usersPerRun: undefined, usersRefreshDays: 3 } });
  });
  afterAll(async () => h?.close());

  it('refreshes ceil(known / days) users per run, every known user once within that many runs', async () => {
    await h.sync({ mode: 'full' });
    const known = (await h.database.sql`select id from users where deleted_at is null order by id`).map((r) => r.id as string);
    expect(known.length).toBeGreaterThan(6);
    const share = Math.ceil(known.length / 3);
    const refreshed: string[] = [];
    for (let run = 0; run < 3; run++) {
      h.fake.resetStats();
      expect((await h.sync({ mode: 'incremental', kinds: ['users'] })).status).toBe('succeeded');
      const fetched = h.fake.stats.log.filter((e) => /^\/api\/1\/users\/[^/]+\/$/.test(e.path)).map((e) => e.path.split('/')[4]!);
      expect(fetched.length).toBeLessThanOrEqual(share);
      refreshed.push(...fetched);
    }
    expect(new Set(refreshed)).toEqual(new Set(known));
    expect(refreshed).toHaveLength(known.length);
  });
});

describe('users fetched without the admin key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 30, organizations: 5, reuses: 5, users: 20 } }, apiKey: 'fake-admin-key' });
  });
  afterAll(async () => h?.close());

  it('keep the emails the admin listing gave, and record no change of them', async () => {
    expect((await h.sync({ mode: 'full' })).status).toBe('succeeded');
    const emails = async () => (await h.database.sql<{ id: string; email: string | null }[]>`select id, raw->>'email' as email from users order by id`);
    const before = await emails();
    expect(before.filter((u) => u.email).length).toBeGreaterThan(5);
    const anonymous = createHttpClient({ baseUrl: h.fake.url, minRetryDelayMs: 5, retries: 2, budget: createLocalBudget({ maxConcurrency: 4, requestsPerSecond: 1_000 }) });
    try {
      // Every known user refreshed by id, as the anonymous API shows them (email: null).
      const run = await runSync({ ...h.ctx, http: anonymous, hasApiKey: false, usersPerRun: 1_000 }, { mode: 'incremental', kinds: ['users'] });
      expect(run.status).toBe('succeeded');
      expect(h.fake.stats.log.filter((l) => /^\/api\/1\/users\/[^/]+\/$/.test(l.path)).length).toBeGreaterThan(5);
      expect(await emails()).toEqual(before);
      expect((await changesOf(h.database.sql, run.runId)).filter((c) => c.entity_type === 'user')).toEqual([]);
    } finally {
      await anonymous.close();
    }
  });
});

describe('users with an admin key', () => {
  let h: Harness;
  beforeAll(async () => {
    // Listings in pages of 2: the users listing is still walked in pages of the manifest's size.
    h = await startHarness({ fake: { counts: { datasets: 20, organizations: 4, reuses: 4, users: 30 } }, apiKey: 'fake-admin-key', context: { pageSize: 2, manifestPageSize: 12, usersPerRun: 3 } });
  });
  afterAll(async () => h?.close());

  it('walk the listing in full pages of the manifest size, every user refreshed and none fetched by id, counted once', async () => {
    const listed = h.fake.catalog.visible('users').length;
    const pages = (log: typeof h.fake.stats.log) => log.filter((l) => l.path === '/api/1/users/');
    expect((await h.sync({ mode: 'full' })).status).toBe('succeeded');
    expect(pages(h.fake.stats.log).map((l) => new URLSearchParams(l.query).get('page_size'))).toEqual(Array(Math.ceil(listed / 12)).fill('12'));
    h.fake.catalog.editUser(h.fake.catalog.visible('users')[0]!, { first_name: 'Renamed' });
    h.fake.resetStats();
    const run = await h.sync({ mode: 'incremental', kinds: ['users'] });
    expect(run.status).toBe('succeeded');
    const log = h.fake.stats.log;
    expect(log.filter((l) => /^\/api\/1\/users\/[^/]+\/$/.test(l.path))).toHaveLength(0);
    expect(pages(log)).toHaveLength(Math.ceil(listed / 12));
    for (const l of pages(log)) expect(l.headers['x-fields']).toBeNull();
    expect(run.countsByType.user).toMatchObject({ seen: listed, updated: 1, unchanged: listed - 1 });
  });
});
