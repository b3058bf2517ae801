// HTTP client for data.gouv.fr, the only code that talks to the network (touches HTTP): budget, timeout, retries, circuit breaker.
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { createRefusalCircuit } from './circuit-breaker.ts';
import { interpretResponse, type HttpResponse } from './interpret-response.ts';
import { createLocalBudget, type RequestBudget } from './request-budget.ts';
import { backoffFloorMs, extraRetryAfterWaitMs, isRetryableError, type BackoffSettings } from './retry-policy.ts';
import { sleepOrThrow } from './sleep.ts';
import { anySignal, createTransport } from './transport.ts';
import { DEFAULT_USER_AGENT } from './user-agent.ts';

export type { HttpResponse } from './interpret-response.ts';

export interface HttpClientOptions {
  /** Site root, e.g. `https://www.data.gouv.fr`; relative paths resolve against it, absolute URLs must share its origin. */
  baseUrl: string;
  /** Sent as `X-API-KEY`; never logged nor put in errors. */
  apiKey?: string;
  /** Default: `datagouv-mirror/<version> (…)`. */
  userAgent?: string;
  /** Deadline per attempt, body read included. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 5. */
  retries?: number;
  /** First backoff delay; doubles each retry, randomized ×1–2. Default 500. */
  minRetryDelayMs?: number;
  /** Cap on one backoff delay. Default 30 000. */
  maxRetryDelayMs?: number;
  /** Cap on an honoured `Retry-After`. Default 120 000. */
  maxRetryAfterMs?: number;
  /** Default: a local budget of 4 concurrent requests and 5 per second. */
  budget?: RequestBudget;
  /** Keep-alive sockets kept open; match the budget's concurrency. Default 4. */
  connections?: number;
  /** Consecutive refused connections (across requests), once the server has answered, that open the circuit. Default 5.
   * Before any answer, refusals and unresolved names end in an UnreachableError after at most 3 attempts. */
  refusedThreshold?: number;
  /** Receives one debug line per retry. */
  logger?: Logger;
  /** Aborts every request (run cancelled). */
  signal?: AbortSignal;
}

export interface GetOptions {
  query?: Record<string, string | number | undefined>;
  /** Extra headers, e.g. `X-Fields`. */
  headers?: Record<string, string>;
  /** Statuses returned instead of thrown, e.g. `[404, 410]`. */
  allowStatus?: number[];
  signal?: AbortSignal;
  /** Retries of this call, instead of the client's (fewer for the sub-pages of a split). */
  retries?: number;
  /** Checks a 2xx body; throw a retryable MalformedResponseError to retry the request. */
  validate?: (body: unknown, url: string) => void;
  /** Whether the body's records get their hashes taken as it is read (see record-spans.ts). Default
   * true; false for bodies whose records are never stored whole (masked manifests and link pages). */
  recordHashes?: boolean;
}

export interface HttpStats {
  /** Attempts sent, retries included. */
  requests: number;
  retries: number;
  /** Response body bytes received. */
  bytes: number;
  /** Attempts per HTTP status code. */
  byStatus: Record<string, number>;
}

export interface HttpClient {
  getJson(pathOrUrl: string, opts?: GetOptions): Promise<HttpResponse>;
  readonly stats: HttpStats;
  /** A view with stats of its own that shares this client's connections, circuit breaker and budget
   * (one job's share of a worker's traffic). Closing the view closes nothing. */
  withOwnStats(): HttpClient;
  close(): Promise<void>;
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const base = new URL(opts.baseUrl);
  const retries = opts.retries ?? 5;
  const backoff: BackoffSettings = { minTimeout: opts.minRetryDelayMs ?? 500, maxTimeout: opts.maxRetryDelayMs ?? 30_000, factor: 2 };
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 120_000;
  const budget = opts.budget ?? createLocalBudget({ maxConcurrency: 4, requestsPerSecond: 5 });
  // A wrong address is told within a few attempts, and at the last one when retries are fewer.
  const circuit = createRefusalCircuit(opts.refusedThreshold ?? 5, { unreachableAfter: Math.min(3, retries + 1) });
  const transport = createTransport({ connections: opts.connections ?? 4, timeoutMs: opts.timeoutMs ?? 30_000, circuit });
  const stats: HttpStats = { requests: 0, retries: 0, bytes: 0, byStatus: {} };
  const redact = secretRedactor(opts.apiKey);
  const baseHeaders = lowerCaseKeys({
    'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT,
    accept: 'application/json',
    ...(opts.apiKey ? { 'x-api-key': opts.apiKey } : {}),
  });

  async function attempt(stats: HttpStats, url: URL, o: GetOptions, signal: AbortSignal | undefined): Promise<HttpResponse> {
    circuit.assertClosed();
    const release = await budget.acquire(signal);
    try {
      circuit.assertClosed(); // it may have opened while this attempt queued
      stats.requests += 1;
      const raw = await transport.send(url, { ...baseHeaders, ...lowerCaseKeys(o.headers ?? {}) }, signal);
      circuit.recordAnswer();
      stats.bytes += raw.bytes.byteLength;
      stats.byStatus[raw.status] = (stats.byStatus[raw.status] ?? 0) + 1;
      return interpretResponse(raw, { url: url.href, allowStatus: o.allowStatus, validate: o.validate, recordHashes: o.recordHashes ?? true, redact, maxRetryAfterMs });
    } finally {
      release();
    }
  }

  async function getJson(stats: HttpStats, pathOrUrl: string, o: GetOptions = {}): Promise<HttpResponse> {
    const url = resolveUrl(base, pathOrUrl, o.query, redact);
    const signal = anySignal(opts.signal, o.signal);
    circuit.assertClosed();
    return pRetry(() => attempt(stats, url, o, signal), {
      retries: o.retries ?? retries,
      ...backoff,
      randomize: true,
      signal,
      shouldRetry: async ({ error, attemptNumber, retriesConsumed }) => {
        if (signal?.aborted || !isRetryableError(error)) return false;
        // p-retry has no Retry-After support: wait here for whatever its own backoff will not cover.
        const extraMs = extraRetryAfterWaitMs(error, retriesConsumed, backoff);
        opts.logger?.debug(
          { url: url.href, ...failureFields(error), attempt: attemptNumber, delayMs: backoffFloorMs(retriesConsumed, backoff) + extraMs },
          'retrying data.gouv.fr request',
        );
        if (extraMs > 0) await sleepOrThrow(extraMs, signal);
        stats.retries += 1;
        return true;
      },
    });
  }

  const view = (own: HttpStats, close: () => Promise<void>): HttpClient => ({
    getJson: (pathOrUrl, o) => getJson(own, pathOrUrl, o),
    stats: own,
    withOwnStats: () => view({ requests: 0, retries: 0, bytes: 0, byStatus: {} }, async () => {}),
    close,
  });
  return view(stats, () => transport.close());
}

function resolveUrl(base: URL, pathOrUrl: string, query: GetOptions['query'], redact: (s: string) => string): URL {
  const url = new URL(pathOrUrl, base);
  if (url.origin !== base.origin) {
    // The API key must never travel to another host, and next_page links always stay on the site.
    throw new Error(`Refusing to request ${redact(url.href)}: not on ${base.origin}; pass a path or a same-origin URL.`);
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

function failureFields(error: Error): Record<string, unknown> {
  const { status, code } = error as { status?: unknown; code?: unknown };
  return { error: error.name, ...(typeof status === 'number' ? { status } : {}), ...(typeof code === 'string' ? { code } : {}) };
}

/** Header names are case-insensitive: normalise so a caller's `X-Fields` cannot be sent twice. */
function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

function secretRedactor(secret: string | undefined): (text: string) => string {
  return (text) => (secret ? text.replaceAll(secret, '[redacted]') : text);
}
