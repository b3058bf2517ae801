// A full sync through API faults ends with the same mirror as a clean one, within the request budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, mirrorState } from '../support/harness.ts';

const FAKE = { seed: 7, publicUrl: 'https://www.data.gouv.fr', counts: { datasets: 90, organizations: 12, reuses: 20, users: 60 } };


describe('full sync through API faults', () => {
  let clean: Harness;
  let faulty: Harness;
  beforeAll(async () => {
    [clean, faulty] = await Promise.all([startHarness({ fake: FAKE }), startHarness({ fake: FAKE, maxConcurrency: 3 })]);
  });
  afterAll(async () => Promise.all([clean?.close(), faulty?.close()]));

  it('gives the same mirror as a clean sync despite 5xx, 429, resets and truncated bodies', async () => {
    expect((await clean.sync({ mode: 'full' })).status).toBe('succeeded');
    await faulty.fake.setFaults({ errorRate: 0.12, rate429: 0.04, retryAfterSeconds: 1, resetRate: 0.04, truncateRate: 0.04 });
    const outcome = await faulty.sync({ mode: 'full' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('succeeded');
    expect(await mirrorState(faulty)).toEqual(await mirrorState(clean));

    const { stats } = faulty.fake;
    for (const kind of ['error', 'rate429', 'reset', 'truncate']) expect(stats.faultsInjected[kind] ?? 0).toBeGreaterThan(0);
    expect(outcome.counts.retries).toBeGreaterThan(0);
    expect(stats.peakInFlight).toBeLessThanOrEqual(3);
    const [run] = await faulty.database.sql`select retries, requests from sync_runs where id = ${outcome.runId}`;
    expect(run!.retries).toBe(outcome.counts.retries);
    expect(run!.requests).toBe(stats.requests);
  });

  it('re-fetches a listing page that keeps answering 502 as two half pages', async () => {
    await faulty.fake.clearFaults();
    await faulty.fake.setFaults({ match: /\/api\/1\/datasets\/\?.*page=2(&|$)/, failTimes: 1_000, errorStatuses: [502] });
    faulty.fake.resetStats();
    const outcome = await faulty.sync({ mode: 'full', kinds: ['datasets'] });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.counts).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
    const sizes = faulty.fake.stats.log.filter((e) => e.path === '/api/1/datasets/').map((e) => new URLSearchParams(e.query).get('page_size'));
    expect(sizes).toContain('10');
  });

  it('fails the run and tombstones nothing when a listing page is lost for good', async () => {
    await faulty.fake.clearFaults();
    const victim = faulty.fake.catalog.visible('datasets')[0]!;
    faulty.fake.catalog.deleteDataset(victim);
    await faulty.fake.setFaults({ match: /\/api\/1\/datasets\/\?.*page=3(&|$)/, failTimes: 1_000, errorStatuses: [500] });
    const outcome = await faulty.sync({ mode: 'full', kinds: ['datasets'] });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/page\(s\) of datasets could not be fetched \(pages 3\)/);
    const [row] = await faulty.database.sql`select deleted_at from datasets where id = ${victim}`;
    expect(row!.deleted_at).toBeNull();
    const [run] = await faulty.database.sql`select status, error from sync_runs where id = ${outcome.runId}`;
    expect(run).toEqual({ status: 'failed', error: outcome.error });
    await faulty.fake.clearFaults();
  });

  it('stops cleanly with a clear reason when data.gouv.fr refuses connections', async () => {
    await faulty.fake.setFaults({ refuseConnections: true });
    const outcome = await faulty.sync({ mode: 'full', kinds: ['organizations'] });
    await faulty.fake.clearFaults();
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/refused/i);
  });
});
