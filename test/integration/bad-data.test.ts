// Bad answers and bad records from a scripted data.gouv.fr-shaped server cost a page retry or one
// record, never a silent success nor a run: HTML and `data: null` pages, short pages, a lying total,
// a 5,000-deep dataset, NUL keys. Real PostgreSQL, node:http on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/api/http-client.ts';
import { createLocalBudget } from '../../src/api/request-budget.ts';
import { formatSummary } from '../../src/cli/format.ts';
import { KINDS_BY_TYPE, type EntityKind } from '../../src/harvest/kinds/index.ts';
import { runSync, type SyncContext } from '../../src/harvest/run-sync.ts';
import { RunTracker } from '../../src/harvest/run-tracker.ts';
import { storePage } from '../../src/harvest/store-page.ts';
import { fetchAndStorePages } from '../../src/harvest/fetch-pages.ts';
import { describeIncompleteWalk } from '../../src/harvest/walk-listing.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { datasetText, startListingServer, type ListingServer } from '../support/listing-server.ts';

const PAGE_SIZE = 5;
const IDS = Array.from({ length: 12 }, (_, i) => `ds-${String(i).padStart(2, '0')}`); // pages of 5, 5, 2

let server: ListingServer;
let database: TestDatabase;
let ctx: SyncContext;

beforeAll(async () => {
  [server, database] = await Promise.all([startListingServer(IDS), createTestDatabase()]);
  const http = createHttpClient({
    baseUrl: server.url,
    retries: 2,
    minRetryDelayMs: 1,
    maxRetryDelayMs: 5,
    timeoutMs: 5_000,
    budget: createLocalBudget({ maxConcurrency: 2, requestsPerSecond: 1_000 }),
  });
  // sweepMaxShare 0.5: a few deletion candidates among 12 rows are swept, not refused.
  ctx = { sql: database.sql, db: database.db, http, logger: createLogger('silent'), hasApiKey: false, pageSize: PAGE_SIZE, concurrency: 2, sweepMaxShare: 0.5 };
  const first = await sync();
  expect(first).toMatchObject({ status: 'succeeded', error: undefined });
  expect(await liveIds()).toEqual(IDS);
});
afterAll(async () => {
  await ctx?.http.close();
  await Promise.all([server?.close(), database?.drop()]);
});
beforeEach(() => server.reset(IDS));

const nested = (depth: number): unknown => {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};
const sync = () => runSync(ctx, { mode: 'full', kinds: ['datasets'] });
const liveIds = async () => (await database.sql`select id from datasets where deleted_at is null order by id`).map((r) => r.id as string);
const ledger = async (runId: number) => {
  const [row] = await database.sql`select status, error, rejected, completeness from sync_runs where id = ${runId}`;
  return row as { status: string; error: string | null; rejected: number; completeness: Record<string, { complete: boolean; failedPages: number[] }> };
};

/** A dataset gone from data.gouv.fr (410 by id, absent from the listing): only a complete walk may tombstone it. */
function hideOne(): string {
  const victim = IDS[1]!;
  server.listed = IDS.filter((id) => id !== victim);
  server.gone.add(victim);
  return victim;
}

/** The run failed, said so in the ledger and the summary, and tombstoned nothing. */
async function expectIncomplete(outcome: Awaited<ReturnType<typeof sync>>, sentence: RegExp, failedPages: number[]) {
  expect(outcome.status).toBe('failed');
  expect(outcome.error).toMatch(sentence);
  expect(outcome.error).toMatch(/the datasets listing is incomplete, so no deletion was inferred for datasets/i);
  const row = await ledger(outcome.runId);
  expect(row).toMatchObject({ status: 'failed', error: outcome.error });
  expect(row.completeness.datasets).toMatchObject({ complete: false, failedPages });
  // The CLI prints this summary, then "Run N failed: <error>" on stderr and exits non-zero.
  expect(formatSummary(outcome, 1)).toMatch(/^Run \d+ \(full\) failed in/);
  expect(await liveIds()).toEqual(IDS);
  expect(await database.sql`select id from resources where deleted_at is not null`).toEqual([]);
  expect(await database.sql`select entity_id from changes where run_id = ${outcome.runId} and op = 'delete'`).toEqual([]);
  expect(server.log.filter((line) => !line.startsWith('page='))).toEqual([]); // no deletion candidate even asked
}

const html = { text: '<!DOCTYPE html><html><body>Maintenance</body></html>', html: true };
const bad: Record<string, (p: { page: number; pageSize: number }) => { text: string; html?: boolean }> = {
  'an HTML 200 page': () => html,
  'a data: null page': (p) => ({ text: server.envelope(p.page, p.pageSize, []).replace('"data":[]', '"data":null') }),
  'a data: [] page before the end': (p) => ({ text: server.envelope(p.page, p.pageSize, []) }),
  'a page with fewer items than page_size before the end': (p) => ({ text: server.envelope(p.page, p.pageSize, server.textsOf(p.page, p.pageSize).slice(0, 3)) }),
};

describe.each(Object.entries(bad))('%s', (_name, answer) => {
  it('is retried, and the run succeeds when the retry answers right', async () => {
    server.script = (p) => (p.page === 2 && p.hit === 1 ? answer(p) : undefined);
    const outcome = await sync();
    expect(outcome).toMatchObject({ status: 'succeeded', error: undefined });
    expect(server.log.filter((line) => line === 'page=2')).toHaveLength(2);
    expect(outcome.counts.retries).toBeGreaterThanOrEqual(1);
    expect(await liveIds()).toEqual(IDS);
  });

  it('is a lost page when it stays bad: the run fails naming the kind, and nothing is tombstoned', async () => {
    const victim = hideOne();
    server.script = (p) => (p.page === 2 ? answer(p) : undefined);
    const outcome = await sync();
    await expectIncomplete(outcome, /1 page\(s\) of datasets could not be fetched \(pages 2\)/, [2]);
    expect(server.log.filter((line) => line === 'page=2')).toHaveLength(3); // the first try and 2 retries
    const [row] = await database.sql`select deleted_at from datasets where id = ${victim}`;
    expect(row!.deleted_at).toBeNull();
  });
});

describe('a lying total', () => {
  it('with a short last page: the run fails as incomplete, no false deletion', async () => {
    hideOne();
    server.totalOverride = 30; // 11 exist: page 3 holds 1 item where 5 are due, pages 4-6 answer 404
    const outcome = await sync();
    await expectIncomplete(outcome, /pages 3\).*page 3 lists 1 items where its total of 30 at page_size 5 requires 5/, [3]);
  });

  it('ending on a page boundary: every page is whole, but fewer ids than announced is incomplete', async () => {
    server.listed = IDS.slice(0, 10);
    for (const id of IDS.slice(10)) server.gone.add(id);
    server.totalOverride = 12; // pages 1 and 2 are full, page 3 answers 404
    const outcome = await sync();
    await expectIncomplete(outcome, /The datasets listing showed 10 distinct ids where its total announced 12/, []);
  });
});

describe('a total that shrinks during the walk', () => {
  it('is no short page: the run succeeds and what paging drift hid is fetched by id, not tombstoned', async () => {
    const deleted = [IDS[1]!, IDS[2]!];
    server.script = (p, s) => {
      if (p.page !== 1 || p.hit !== 1) return undefined;
      // Page 1 is answered with the old list, then two of its items are deleted: later pages shift by two.
      const answer = { text: s.envelope(1, p.pageSize, s.textsOf(1, p.pageSize)) };
      s.listed = s.listed.filter((id) => !deleted.includes(id));
      for (const id of deleted) s.gone.add(id);
      return answer;
    };
    const outcome = await sync();
    expect(outcome).toMatchObject({ status: 'succeeded', error: undefined });
    // ds-05 and ds-06 moved to page 1 after it was read: confirmed alive by id, still live.
    expect(server.log.filter((line) => !line.startsWith('page=')).sort()).toEqual(['/api/1/datasets/ds-05/', '/api/1/datasets/ds-06/']);
    expect(await liveIds()).toEqual(IDS);
  });
});

describe('the page jobs of a queued run (fetchAndStorePages)', () => {
  it('record a page that stays short as failed, store the others, and follow the tail the same way', async () => {
    server.script = (p) => (p.page === 2 ? { text: server.envelope(2, p.pageSize, []) } : undefined);
    const runId = 990_001;
    const run = { runId, tracker: new RunTracker(ctx.db, runId, ctx.http), mode: 'full' as const, userIds: new Set<string>(), fetchedUserIds: new Set<string>() };
    const outcome = await fetchAndStorePages(ctx, run, 'datasets', [1, 2, 3], { followTail: true });
    expect(outcome.failedPages).toEqual([{ page: 2, error: expect.stringMatching(/page 2 lists 0 items where its total of 12 at page_size 5 requires 5/) }]);
    // The ids the stored pages showed are in the run's state, as the collect job counts them.
    const recorded = (await ctx.sql<{ id: string }[]>`select id from run_seen_ids where run_id = ${runId} and kind = 'datasets' order by id`).map((r) => r.id);
    expect(recorded).toEqual([...IDS.slice(0, 5), ...IDS.slice(10)].sort());
    expect(outcome.hasNext).toBe(false);
    const walk = { total: outcome.total, seen: recorded.length, pages: outcome.pages, failedPages: outcome.failedPages, complete: false };
    expect(describeIncompleteWalk('datasets', walk)[0]).toMatch(/^1 page\(s\) of datasets could not be fetched \(pages 2\): the datasets listing is incomplete/);
  });
});

describe('bad records', () => {
  it('rejects a dataset nested 5,000 levels deep with its reason and stores the rest of its page', async () => {
    const deep = `${'{"a":'.repeat(5_000)}0${'}'.repeat(5_000)}`;
    server.items.set('ds-deep', datasetText('ds-deep', `"nested":${deep}`));
    server.listed = [...IDS.slice(0, 7), 'ds-deep', ...IDS.slice(7)]; // on page 2, among four others
    for (let attempt = 0; attempt < 2; attempt++) {
      // A second run fares the same: the record does not stop every sync until it changes.
      const outcome = await sync();
      expect(outcome).toMatchObject({ status: 'succeeded', error: undefined });
      expect(outcome.counts.rejected).toBe(1);
      expect(await ledger(outcome.runId)).toMatchObject({ status: 'succeeded', error: null, rejected: 1 });
      const rejected = await database.sql`select entity_type, entity_id, reason, payload->>'id' as payload_id, source_url
        from rejected_records where run_id = ${outcome.runId}`;
      expect(rejected).toEqual([
        {
          entity_type: 'dataset',
          entity_id: 'ds-deep',
          reason: expect.stringMatching(/failed: the record is nested 500\d levels deep, too deep to process/),
          payload_id: 'ds-deep',
          source_url: expect.stringContaining('page=2'),
        },
      ]);
    }
    expect(await liveIds()).toEqual(IDS);
    expect(await database.sql`select id from resources where dataset_id = 'ds-deep'`).toEqual([]);
    expect(await database.sql`select id from datasets where deleted_at is not null`).toEqual([]);
  });

  it('rejects a record PostgreSQL refuses (a lone surrogate) with its reason, the page stored around it', async () => {
    server.items.set('ds-surrogate', datasetText('ds-surrogate', '"title":"half \\ud800 pair"'));
    server.listed = [...IDS.slice(0, 2), 'ds-surrogate', ...IDS.slice(2)];
    const outcome = await sync();
    expect(outcome).toMatchObject({ status: 'succeeded', error: undefined });
    expect(await ledger(outcome.runId)).toMatchObject({ status: 'succeeded', rejected: 1 });
    const rejected = await database.sql`select entity_id, reason from rejected_records where run_id = ${outcome.runId}`;
    expect(rejected).toEqual([{ entity_id: 'ds-surrogate', reason: expect.stringMatching(/^PostgreSQL refused a value: invalid input syntax for type json \(.*surrogate.*\)$/) }]);
    expect(await liveIds()).toEqual(IDS);
  });

  it('isolates a record that only the batch serialization overflows (a value nested in a column)', async () => {
    const base = KINDS_BY_TYPE.dataset;
    const careless: EntityKind = {
      ...base,
      normalize: (record) => {
        const entity = base.normalize(record);
        return entity.id === 'new-3' ? { ...entity, columns: { ...entity.columns, tags: nested(10_000) } } : entity;
      },
    };
    // New ids: an unchanged row would not be written, so not serialized.
    const records = IDS.slice(0, 5).map((id, i) => ({ ...(JSON.parse(server.items.get(id)!) as object), id: `new-${i}`, resources: [] }));
    const result = await storePage(database.sql, careless, records, { runId: 990_002, observedAt: new Date().toISOString(), sourceUrl: 'test' });
    expect(result.counts.dataset).toMatchObject({ seen: 4, rejected: 1 });
    const rejected = await database.sql`select entity_id, reason, payload->>'id' as payload_id from rejected_records where run_id = 990002`;
    expect(rejected).toEqual([
      { entity_id: 'new-3', reason: 'storing failed: a value is nested, too deep to process (Maximum call stack size exceeded)', payload_id: 'new-3' },
    ]);
  });

  it('rejects a dataset whose keys would merge once NUL is stripped, and strips NUL elsewhere', async () => {
    server.items.set('ds-nul-merge', datasetText('ds-nul-merge', '"extras":{"k\\u0000":1,"k":2}'));
    server.items.set('ds-nul-key', datasetText('ds-nul-key', '"extras":{"note\\u0000":"x\\u0000y"}'));
    server.listed = [...IDS, 'ds-nul-merge', 'ds-nul-key'];
    const outcome = await sync();
    expect(outcome).toMatchObject({ status: 'succeeded', error: undefined });
    expect(await ledger(outcome.runId)).toMatchObject({ status: 'succeeded', rejected: 1 });
    const rejected = await database.sql`select entity_id, reason, payload->'extras' as extras from rejected_records where run_id = ${outcome.runId}`;
    expect(rejected).toEqual([
      {
        entity_id: 'ds-nul-merge',
        reason: 'keys "k\\u0000" and "k" (at extras) would merge once NUL characters are removed, which PostgreSQL requires',
        extras: { 'k\\u0000': 1, k: 2 }, // both values kept in the payload, the NUL spelled out
      },
    ]);
    const [stored] = await database.sql`select raw->'extras' as extras from datasets where id = 'ds-nul-key'`;
    expect(stored!.extras).toEqual({ note: 'xy' });
    expect(await database.sql`select id from datasets where id = 'ds-nul-merge'`).toEqual([]);
  });
});
