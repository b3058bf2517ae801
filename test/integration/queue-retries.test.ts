// A queued page job whose page keeps failing is retried by BullMQ with backoff (the job throws, it
// does not record a lost page): failing twice, then succeeding, loses nothing. Real Redis and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorState, startHarness, type Harness } from '../support/harness.ts';
import { startQueueBed, type QueueBed } from '../support/queue-bed.ts';

const FAKE = { seed: 13, publicUrl: 'https://www.data.gouv.fr', counts: { datasets: 60, organizations: 5, reuses: 5, users: 20, dataservices: 4 } };

describe('queued page jobs', () => {
  let queued: Harness;
  let clean: Harness;
  let bed: QueueBed;

  beforeAll(async () => {
    [queued, clean] = await Promise.all([startHarness({ fake: FAKE }), startHarness({ fake: FAKE, context: { pageSize: 10 } })]);
    bed = await startQueueBed(queued, { DATAGOUV_PAGE_SIZE: '10', DATAGOUV_RETRIES: '2', JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '50' }, 3);
    expect((await clean.sync({ mode: 'full' })).status).toBe('succeeded');
  });
  afterAll(async () => {
    await bed?.close();
    await Promise.all([queued?.close(), clean?.close()]);
  });

  it('retry a page that fails twice, then succeeds, and lose nothing', async () => {
    const page = '/api/1/datasets/?page=3&';
    // Each job attempt makes 3 requests (DATAGOUV_RETRIES=2): 6 failures fail the job twice.
    await queued.fake.setFaults({ match: page, failTimes: 6, errorStatuses: [500] });
    const run = await bed.sync({ mode: 'full' });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const served = queued.fake.stats.log.filter((l) => `${l.path}?${l.query}`.includes(page));
    expect(served.map((l) => l.status)).toEqual([500, 500, 500, 500, 500, 500, 200]);
    const pageJob = (await bed.mirror.queue.getJobs(['completed'], 0, 500)).find((j) => j.name === 'sync-pages' && j.data.page === 3 && j.data.kind === 'datasets');
    expect(pageJob?.attemptsStarted).toBe(3);
    expect((run.completeness as Record<string, { complete: boolean }>).datasets?.complete).toBe(true);
    expect(await mirrorState(queued)).toEqual(await mirrorState(clean));
  });
});
