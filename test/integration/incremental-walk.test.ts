// An incremental run that finds most of a listing new or changed (a first run given --mode
// incremental, a mirror pointed at another catalog) walks the listing again instead of fetching
// every entity by id, in process and on the queue, and says so in its log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preferFullWalk } from '../../src/harvest/walk-plan.ts';
import { ids, startHarness, type Harness } from '../support/harness.ts';
import { startQueueBed, type QueueBed } from '../support/queue-bed.ts';

const FAKE = { seed: 19, publicUrl: 'https://www.data.gouv.fr', counts: { datasets: 150, organizations: 10, reuses: 10, users: 30, dataservices: 5 } };

const itemFetches = (h: Harness) => h.fake.stats.log.filter((l) => /^\/api\/1\/datasets\/[^/?]+\/$/.test(l.path)).length;

describe('an incremental run that finds nearly everything new', () => {
  it('walks the listing when that costs less than fetching by id, and not for a 1% change', () => {
    expect(preferFullWalk(75_000, 75_000, 100)).toBe(true);
    expect(preferFullWalk(750, 75_000, 100)).toBe(false);
    expect(preferFullWalk(0, 10, 100)).toBe(false);
  });

  describe('in process', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ fake: FAKE });
    });
    afterAll(async () => h?.close());

    it('stores every page instead of fetching every dataset by id', async () => {
      const listed = h.fake.catalog.visible('datasets').length;
      const run = await h.sync({ mode: 'incremental', kinds: ['datasets'] });
      expect(run.error).toBeUndefined();
      expect(run.status).toBe('succeeded');
      expect(itemFetches(h)).toBe(0);
      expect(await ids(h.database.sql, 'datasets')).toEqual([...h.fake.catalog.visible('datasets')].sort());
      expect(run.countsByType.dataset).toMatchObject({ seen: listed, inserted: listed, unchanged: 0 });
    });
  });

  describe('on the queue', () => {
    let h: Harness;
    let bed: QueueBed;
    beforeAll(async () => {
      h = await startHarness({ fake: FAKE });
      bed = await startQueueBed(h, { DATAGOUV_PAGE_SIZE: '20' }, 3);
    });
    afterAll(async () => {
      await bed?.close();
      await h?.close();
    });

    it('plans page jobs instead of item jobs, and the walk decides completeness', async () => {
      const run = await bed.sync({ mode: 'incremental', kinds: ['datasets'] });
      expect(run.error).toBeNull();
      expect(run.status).toBe('succeeded');
      expect(itemFetches(h)).toBe(0);
      const jobs = await bed.mirror.queue.getJobs(['completed'], 0, 200);
      expect(jobs.some((j) => j.name === 'sync-pages')).toBe(true);
      expect(jobs.some((j) => j.name === 'sync-items')).toBe(false);
      expect((run.completeness as Record<string, { complete: boolean }>).datasets?.complete).toBe(true);
      expect(await ids(h.database.sql, 'datasets')).toEqual([...h.fake.catalog.visible('datasets')].sort());
    });
  });
});
