// Request budget: concurrency and rate limits, alone and through the HTTP client on a loopback server. Touches HTTP.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/api/http-client.ts';
import { createLocalBudget } from '../../src/api/request-budget.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server answering after `delayMs`, tracking hits and the peak number of requests in flight. */
async function startSlowServer(delayMs: number, status = (_hit: number) => 200) {
  const state = { url: '', hits: 0, inFlight: 0, peak: 0 };
  const server = createServer((_req, res: ServerResponse) => {
    state.hits += 1;
    state.inFlight += 1;
    state.peak = Math.max(state.peak, state.inFlight);
    const code = status(state.hits);
    setTimeout(() => {
      state.inFlight -= 1;
      res.writeHead(code, { 'content-type': 'application/json' }).end('{}');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return state;
}

function clientWith(url: string, maxConcurrency: number, requestsPerSecond: number) {
  const budget = createLocalBudget({ maxConcurrency, requestsPerSecond });
  const http = createHttpClient({ baseUrl: url, budget, connections: 8, minRetryDelayMs: 0, maxRetryDelayMs: 0 });
  cleanups.push(() => http.close());
  return http;
}

describe('local request budget through the client', () => {
  it('never has more requests in flight than maxConcurrency', async () => {
    const server = await startSlowServer(40);
    const http = clientWith(server.url, 3, 1000);
    await Promise.all(Array.from({ length: 12 }, (_, i) => http.getJson(`/x/${i}`)));
    expect(server.hits).toBe(12);
    expect(server.peak).toBe(3);
  });

  it('spaces request starts so N requests take at least (N-1)/rps', async () => {
    const server = await startSlowServer(0);
    const http = clientWith(server.url, 4, 20);
    const started = performance.now();
    await Promise.all(Array.from({ length: 6 }, (_, i) => http.getJson(`/x/${i}`)));
    expect(performance.now() - started).toBeGreaterThanOrEqual((6 - 1) * (1000 / 20));
  });

  it('counts retries against the rate budget', async () => {
    const server = await startSlowServer(0, (hit) => (hit <= 2 ? 503 : 200));
    const http = clientWith(server.url, 4, 10);
    const started = performance.now();
    await http.getJson('/x');
    expect(server.hits).toBe(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2 * 100);
  });
});

describe('createLocalBudget', () => {
  it('rejects a queued acquire with the abort reason and keeps the slot usable', async () => {
    const budget = createLocalBudget({ maxConcurrency: 1, requestsPerSecond: 1000 });
    const release = await budget.acquire();
    const controller = new AbortController();
    const queued = budget.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(queued).rejects.toThrow('cancelled');
    release();
    release(); // releasing twice must not free a second slot
    const next = await budget.acquire();
    let third = false;
    const pending = budget.acquire().then((r) => ((third = true), r));
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBe(false);
    next();
    (await pending)();
    expect(third).toBe(true);
  });
});
