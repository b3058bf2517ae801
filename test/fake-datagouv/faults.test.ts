// Tests of injected faults and their counters: 5xx, 429, latency, reset, truncation, refusal, failTimes, heavy pages, ignored masks (touches HTTP).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';

let fake: FakeDatagouv;
const api = (path: string): string => `${fake.url}/api/1/${path}`;

beforeAll(async () => {
  fake = await startFakeDatagouv({ seed: 5, counts: { datasets: 30, organizations: 4, reuses: 6, users: 10 } });
});
afterEach(async () => {
  await fake.clearFaults();
  fake.resetStats();
});
afterAll(async () => {
  await fake.close();
});

/** The cause chain of a fetch failure, as one string (undici nests the socket error). */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const parts: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(`${e.message} ${(e as { code?: string }).code ?? ''}`);
    return parts.join(' | ');
  }
  throw new Error('expected a failure');
}

describe('faults', () => {
  it('answers 5xx from the configured list at errorRate 1 and counts them', async () => {
    await fake.setFaults({ errorRate: 1, errorStatuses: [503] });
    const res = await fetch(api('datasets/'));
    expect(res.status).toBe(503);
    expect(fake.stats.faultsInjected['error']).toBe(1);
    expect(fake.stats.byStatus['503']).toBe(1);
    expect(fake.stats.byRoute['GET /api/1/datasets/']).toBe(1);
  });

  it('answers 429 with Retry-After', async () => {
    await fake.setFaults({ rate429: 1, retryAfterSeconds: 7 });
    const res = await fetch(api('organizations/'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(fake.stats.faultsInjected['rate429']).toBe(1);
  });

  it('decides probabilistic faults from the url and its attempt number, so retries can succeed', async () => {
    await fake.setFaults({ errorRate: 0.5, seed: 9 });
    const first = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(api(`datasets/?page_size=${i + 1}`)).then((r) => r.status)));
    await fake.setFaults({ errorRate: 0.5, seed: 9 });
    const again = [];
    for (let i = 39; i >= 0; i--) again.unshift(await fetch(api(`datasets/?page_size=${i + 1}`)).then((r) => r.status));
    expect(again).toEqual(first); // same outcomes whatever the interleaving
    expect(first.filter((s) => s >= 500).length).toBeGreaterThan(5);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(5);
  });

  it('adds latency', async () => {
    await fake.setFaults({ latencyMs: 120 });
    const started = performance.now();
    expect((await fetch(api('reuses/'))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(fake.stats.faultsInjected['latency']).toBe(1);
  });

  it('resets the connection mid-response', async () => {
    await fake.setFaults({ resetRate: 1 });
    const text = fetch(api('datasets/?page_size=20')).then((r) => r.text());
    expect(await failure(text)).toMatch(/terminated|ECONNRESET|other side closed|socket/i);
    expect(fake.stats.faultsInjected['reset']).toBe(1);
  });

  it('truncates the body after a valid status and headers', async () => {
    await fake.setFaults({ truncateRate: 1 });
    const res = await fetch(api('datasets/'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(fake.stats.faultsInjected['truncate']).toBe(1);
  });

  it('refuses connections while banned and listens again on the same port after', async () => {
    await fake.setFaults({ refuseConnections: true });
    expect(await failure(fetch(api('datasets/')))).toContain('ECONNREFUSED');
    await fake.clearFaults();
    expect((await fetch(api('datasets/'))).status).toBe(200);
  });

  it('fails the first N matching requests then succeeds, leaving other routes alone', async () => {
    await fake.setFaults({ match: /\/organizations\//, failTimes: 2, errorStatuses: [502] });
    expect((await fetch(api('datasets/'))).status).toBe(200);
    expect((await fetch(api('organizations/'))).status).toBe(502);
    expect((await fetch(api('organizations/'))).status).toBe(502);
    expect((await fetch(api('organizations/'))).status).toBe(200);
    expect(fake.stats.faultsInjected['failTimes']).toBe(2);
  });

  it('answers 502 for a dataset page embedding more resources than maxResourcesPerPage', async () => {
    await fake.setFaults({ maxResourcesPerPage: 5 });
    expect((await fetch(api('datasets/?page_size=100'))).status).toBe(502);
    expect((await fetch(api('organizations/?page_size=100'))).status).toBe(200);
    expect(fake.stats.faultsInjected['heavyPage']).toBe(1);
  });

  it('serves full objects, listings and items alike, ignoring X-Fields when ignoreFieldMask is set', async () => {
    const mask = { 'X-Fields': 'data{id,internal{last_modified_internal}},total' };
    const full = await (await fetch(api('datasets/?page_size=5'))).json();
    const [first] = (full as { data: Array<{ id: string }> }).data;
    const item = await (await fetch(api(`datasets/${first!.id}/`))).json();
    await fake.setFaults({ ignoreFieldMask: true });
    expect(await (await fetch(api('datasets/?page_size=5'), { headers: mask })).json()).toEqual(full);
    expect(await (await fetch(api(`datasets/${first!.id}/`), { headers: { 'X-Fields': 'id' } })).json()).toEqual(item);
    // A server that drops the mask does not parse it either: a malformed one is no 400.
    expect((await fetch(api('datasets/?page_size=5'), { headers: { 'X-Fields': 'data{id' } })).status).toBe(200);
    expect(fake.stats.faultsInjected['ignoredMask']).toBe(3);
    expect(fake.stats.log.at(-1)?.headers['x-fields']).toBe('data{id');
    await fake.clearFaults();
    const masked = (await (await fetch(api('datasets/?page_size=5'), { headers: mask })).json()) as Record<string, unknown>;
    expect(Object.keys(masked).sort()).toEqual(['data', 'total']);
  });

  it('tracks requests in flight and logs request headers', async () => {
    await fake.setFaults({ latencyMs: 50 });
    await Promise.all([1, 2, 3].map(() => fetch(api('reuses/'), { headers: { 'user-agent': 'mirror-test/1', 'X-Fields': 'total' } })));
    expect(fake.stats.peakInFlight).toBe(3);
    expect(fake.stats.inFlight).toBe(0);
    expect(fake.stats.log.at(-1)).toMatchObject({
      method: 'GET',
      path: '/api/1/reuses/',
      status: 200,
      headers: { 'user-agent': 'mirror-test/1', 'x-fields': 'total', 'has-api-key': false },
    });
  });
});
