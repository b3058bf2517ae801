// Known users carry no modification stamp: each incremental run refreshes a share of them, so that
// every one is refreshed once per USERS_REFRESH_DAYS runs, and newly referenced users come first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

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
