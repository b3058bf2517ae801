// HTTP client against a loopback node:http server: retries, Retry-After, allowStatus, faults, circuit, headers. Touches HTTP.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BannedError, HttpError, MalformedResponseError, NetworkError, UnreachableError } from '../../src/api/errors/index.ts';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../src/api/http-client.ts';
import { createLocalBudget } from '../../src/api/request-budget.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

interface TestServer {
  url: string;
  port: number;
  hits: number;
  requests: IncomingMessage[];
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(handler: Handler, port = 0): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    state.hits += 1;
    state.requests.push(req);
    handler(req, res, state.hits);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  const state: TestServer = { url: `http://127.0.0.1:${actual}`, port: actual, hits: 0, requests: [], close };
  cleanups.push(close);
  return state;
}

function client(baseUrl: string, extra: Partial<HttpClientOptions> = {}): HttpClient {
  // A generous budget keeps these tests fast; the budget itself is tested in http-budget.test.ts.
  const budget = createLocalBudget({ maxConcurrency: 4, requestsPerSecond: 1000 });
  const http = createHttpClient({ baseUrl, minRetryDelayMs: 1, maxRetryDelayMs: 5, timeoutMs: 2000, budget, ...extra });
  cleanups.push(() => http.close());
  return http;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A port nothing listens on: bind one, then free it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('retries', () => {
  it.each([500, 502, 503, 504])('retries HTTP %i then returns the successful answer', async (status) => {
    const server = await startServer((_req, res, hit) => (hit <= 2 ? json(res, status, { message: 'boom' }) : json(res, 200, { ok: true })));
    const http = client(server.url);
    const res = await http.getJson('/api/1/datasets/');
    expect(res.body).toEqual({ ok: true });
    expect(server.hits).toBe(3);
    expect(http.stats).toMatchObject({ requests: 3, retries: 2, byStatus: { [status]: 2, 200: 1 } });
    expect(http.stats.bytes).toBeGreaterThan(0);
  });

  it('throws the last HttpError, retryable, once retries are exhausted', async () => {
    const server = await startServer((_req, res) => json(res, 503, { message: 'maintenance' }));
    const http = client(server.url, { retries: 2 });
    const error = await http.getJson('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503, retryable: true, url: `${server.url}/x` });
    expect((error as Error).message).toMatch(/maintenance/);
    expect(server.hits).toBe(3);
  });

  it('waits at least Retry-After seconds after a 429', async () => {
    const server = await startServer((_req, res, hit) => (hit === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, [])));
    const http = client(server.url);
    const started = performance.now();
    await http.getJson('/x');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(server.hits).toBe(2);
  });

  it.each([400, 401, 403, 404])('never retries HTTP %i', async (status) => {
    const server = await startServer((_req, res) => json(res, status, { message: 'no' }));
    const http = client(server.url);
    await expect(http.getJson('/x')).rejects.toMatchObject({ name: 'HttpError', status, retryable: false });
    expect(server.hits).toBe(1);
  });

  it.each([404, 410])('returns HTTP %i when allowed instead of throwing', async (status) => {
    const server = await startServer((_req, res) => json(res, status, { message: 'gone' }));
    const res = await client(server.url).getJson('/x', { allowStatus: [404, 410] });
    expect(res).toMatchObject({ status, body: { message: 'gone' } });
    expect(server.hits).toBe(1);
  });
});

describe('network faults', () => {
  it('retries a body cut short by a closed connection', async () => {
    const server = await startServer((req, res, hit) => {
      if (hit > 1) return json(res, 200, { ok: true });
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"data": [1, 2');
      setImmediate(() => req.socket.destroy());
    });
    const res = await client(server.url).getJson('/x');
    expect(res.body).toEqual({ ok: true });
    expect(server.hits).toBe(2);
  });

  it('retries a complete answer whose JSON is truncated, then reports MalformedResponseError', async () => {
    const server = await startServer((_req, res) => res.end('{"data": [1, 2'));
    const http = client(server.url, { retries: 2 });
    await expect(http.getJson('/x')).rejects.toBeInstanceOf(MalformedResponseError);
    expect(server.hits).toBe(3);
  });

  it('retries a connection reset before any answer', async () => {
    const server = await startServer((req, res, hit) => (hit === 1 ? req.socket.destroy() : json(res, 200, { ok: true })));
    expect((await client(server.url).getJson('/x')).body).toEqual({ ok: true });
    expect(server.hits).toBe(2);
  });

  it('times out an attempt with no headers, or a stalled body, and retries it', async () => {
    const server = await startServer((_req, res, hit) => {
      if (hit === 1) return; // never answers
      if (hit === 2) return void res.writeHead(200).write('{"da'); // headers, then the body stalls
      json(res, 200, { ok: true });
    });
    const http = client(server.url, { timeoutMs: 150 });
    expect((await http.getJson('/x')).body).toEqual({ ok: true });
    expect(server.hits).toBe(3);
  });

  it('reports a TIMEOUT NetworkError after retries', async () => {
    const server = await startServer(() => undefined);
    const error = await client(server.url, { timeoutMs: 50, retries: 1 }).getJson('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(server.hits).toBe(2);
  });
});

describe('circuit breaker on refused connections', () => {
  it('reports a ban once a server that answered in this run refuses N times in a row, and sends nothing afterwards', async () => {
    const first = await startServer((_req, res) => json(res, 200, {}));
    const http = client(first.url, { refusedThreshold: 3, retries: 10 });
    await http.getJson('/x');
    await first.close(); // the server that answered is gone mid-run: refusals now look like a ban
    const error = await http.getJson('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BannedError);
    expect((error as Error).message).toMatch(/refused connections 3 times.*IP ban.*wait/);
    expect(http.stats.requests).toBe(4);

    // The server is back: an open circuit still sends nothing.
    const server = await startServer((_req, res) => json(res, 200, {}), first.port);
    await expect(http.getJson('/y')).rejects.toBeInstanceOf(BannedError);
    expect(server.hits).toBe(0);
    expect(http.stats.requests).toBe(4);
  });

  it('says nothing is listening, after a few attempts and not as a ban, when the host never answered', async () => {
    const port = await freePort();
    const http = client(`http://127.0.0.1:${port}`, { refusedThreshold: 3, retries: 10 });
    const error = await http.getJson('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error).not.toBeInstanceOf(BannedError);
    expect((error as Error).message).toBe(
      `Nothing is listening at http://127.0.0.1:${port} (it refused connections before answering anything in this run): ` +
        'check DATAGOUV_BASE_URL (or --base-url) and that the server runs.',
    );
    expect(http.stats.requests).toBe(3);
    // The next request of the run is told at its first refusal, without retries.
    await expect(http.getJson('/y')).rejects.toBeInstanceOf(UnreachableError);
    expect(http.stats.requests).toBe(4);
    // Not latched: a server started late is used as soon as it listens.
    await startServer((_req, res) => json(res, 200, { late: true }), port);
    expect((await http.getJson('/z')).body).toEqual({ late: true });
  });

  it('names the host and DATAGOUV_BASE_URL within a few attempts when the host name does not resolve', async () => {
    const http = client('http://no-such-host.invalid', { retries: 10 });
    const error = await http.getJson('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toMatch(/^The host no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\): check DATAGOUV_BASE_URL/);
    expect(http.stats.requests).toBe(3);
  });

  it('resets the count of refusals when the server answers', async () => {
    const port = await freePort();
    const http = client(`http://127.0.0.1:${port}`, { refusedThreshold: 3, retries: 1 });
    await expect(http.getJson('/x')).rejects.toBeInstanceOf(UnreachableError);
    const server = await startServer((_req, res) => json(res, 200, {}), port);
    await http.getJson('/x');
    await server.close();
    // Two refusals (below the threshold) after an answer: an ordinary network failure, retried.
    await expect(http.getJson('/x')).rejects.toMatchObject({ name: 'NetworkError', code: 'ECONNREFUSED' });
    await startServer((_req, res) => json(res, 200, {}), port);
    await http.getJson('/x');
    expect(http.stats.requests).toBe(6);
  });
});

describe('headers and secrets', () => {
  const apiKey = 'sEcReT-api-key-123';

  it('names the tool in User-Agent and sends the API key and X-Fields as headers', async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    await client(server.url, { apiKey }).getJson('/x', { headers: { 'X-Fields': 'data{id}' } });
    const headers = server.requests[0]?.headers;
    expect(headers?.['user-agent']).toMatch(/^datagouv-mirror\/\d+\.\d+\.\d+ /);
    expect(headers?.['x-api-key']).toBe(apiKey);
    expect(headers?.['x-fields']).toBe('data{id}');
  });

  it('keeps the API key out of errors and retry logs', async () => {
    const server = await startServer((_req, res, hit) => json(res, hit === 1 ? 500 : 403, { message: `bad key ${apiKey}` }));
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const http = client(server.url, { apiKey, logger: pino({ level: 'debug' }, sink) });
    const error = await http.getJson('/x').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403 });
    expect((error as Error).message).toContain('[redacted]');
    expect(JSON.stringify({ message: (error as Error).message, ...(error as object) })).not.toContain(apiKey);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ url: `${server.url}/x`, status: 500, attempt: 1 });
    expect(lines.join('')).not.toContain(apiKey);
    expect(JSON.stringify(http.stats)).not.toContain(apiKey);
  });
});

describe('urls and cancellation', () => {
  it('accepts same-origin absolute URLs and refuses other origins', async () => {
    const server = await startServer((req, res) => json(res, 200, { url: req.url }));
    const http = client(server.url);
    const res = await http.getJson(`${server.url}/api/1/datasets/?page=2`, { query: { page_size: 10, sort: undefined } });
    expect(res.body).toEqual({ url: '/api/1/datasets/?page=2&page_size=10' });
    await expect(http.getJson('http://example.org/api/1/datasets/')).rejects.toThrow(/not on http:\/\/127\.0\.0\.1/);
    expect(server.hits).toBe(1);
  });

  it('stops waiting for Retry-After as soon as the run is cancelled', async () => {
    const controller = new AbortController();
    const server = await startServer((_req, res) => {
      json(res, 503, {}, { 'retry-after': '100' });
      res.on('finish', () => setImmediate(() => controller.abort(new Error('run cancelled'))));
    });
    const started = performance.now();
    await expect(client(server.url, { signal: controller.signal }).getJson('/x')).rejects.toThrow('run cancelled');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(server.hits).toBe(1);
  });
});
