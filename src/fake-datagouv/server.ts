// The fake's HTTP layer on node:http: faults, X-Fields, stats and the wire format of each answer (touches HTTP).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeCatalog } from './catalog.ts';
import { applyMask, MaskError, parseMask, type Mask } from './field-mask.ts';
import type { FaultPlan } from './faults.ts';
import { handleApi, routeKey } from './routes.ts';
import { message, serverError, type ApiResponse } from './responses.ts';
import { countFault, recordResponse } from './stats.ts';
import type { FakeStats } from './types.ts';

export interface ServerState {
  catalog: FakeCatalog;
  faults: FaultPlan;
  stats: FakeStats;
  adminKey: string;
  base: () => string;
}

const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? null) : null;
};

/** The item keys a mask keeps of a listing's `data`, when it names them all (no `*`): what the catalog may skip rendering. */
function itemFields(mask: Mask): ReadonlySet<string> | undefined {
  const data = mask.get('data');
  return data instanceof Map && !data.has('*') ? new Set(data.keys()) : undefined;
}

/** Resolves the answer, applying the heavy-page fault and the X-Fields mask. */
function answer(state: ServerState, req: IncomingMessage, url: URL): ApiResponse {
  const maskHeader = state.faults.current.ignoreFieldMask ? null : header(req, 'x-fields');
  let mask: Mask | MaskError | null = null;
  if (maskHeader) {
    try {
      mask = parseMask(maskHeader);
    } catch (err) {
      if (!(err instanceof MaskError)) throw err;
      mask = err;
    }
  }
  const res = handleApi(state.catalog, {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    apiKey: header(req, 'x-api-key'),
    adminKey: state.adminKey,
    base: state.base(),
    ...(mask instanceof Map ? { itemFields: itemFields(mask) } : {}),
  });
  const max = state.faults.current.maxResourcesPerPage;
  if (max !== undefined && (res.embeddedResources ?? 0) > max) {
    countFault(state.stats, 'heavyPage');
    return serverError(res.route, 502);
  }
  if (res.status !== 200) return res;
  if (state.faults.current.ignoreFieldMask && header(req, 'x-fields')) {
    countFault(state.stats, 'ignoredMask');
    return res;
  }
  if (mask === null) return res;
  if (mask instanceof MaskError) return message(res.route, 400, mask.message);
  try {
    return { ...res, body: applyMask(res.body, mask) };
  } catch (err) {
    if (err instanceof MaskError) return message(res.route, 400, err.message);
    throw err;
  }
}

function faultResponse(state: ServerState, fault: ReturnType<FaultPlan['decide']>['fault']): ApiResponse | null {
  if (fault.kind === 'status') {
    countFault(state.stats, fault.cause === 'failTimes' ? 'failTimes' : 'error');
    return serverError('(fault)', fault.status);
  }
  if (fault.kind === '429') {
    countFault(state.stats, 'rate429');
    return { ...message('(fault)', 429, 'Too Many Requests'), headers: { 'retry-after': String(fault.retryAfter) } };
  }
  return null;
}

export async function handleRequest(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { stats } = state;
  stats.requests += 1;
  stats.inFlight += 1;
  stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
  res.once('close', () => {
    stats.inFlight -= 1;
  });
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  const method = req.method ?? 'GET';
  const { fault, delayMs } = state.faults.decide(method, url.pathname + url.search);
  if (delayMs > 0) {
    countFault(stats, 'latency');
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  const faulted = faultResponse(state, fault);
  const out = faulted ?? answer(state, req, url);
  const route = faulted ? routeKey(method, url.pathname) : out.route;
  recordResponse(stats, route, {
    method,
    path: url.pathname,
    query: url.search.replace(/^\?/, ''),
    status: out.status,
    headers: { 'user-agent': header(req, 'user-agent'), 'x-fields': header(req, 'x-fields'), 'has-api-key': header(req, 'x-api-key') !== null },
    at: new Date().toISOString(),
  });
  send(state, res, out, fault.kind === 'reset' || fault.kind === 'truncate' ? fault.kind : null);
}

function send(state: ServerState, res: ServerResponse, out: ApiResponse, cut: 'reset' | 'truncate' | null): void {
  const text = out.html ? String(out.body) : JSON.stringify(out.body);
  const body = Buffer.from(text, 'utf8');
  const headers: Record<string, string | number> = {
    'content-type': out.html ? 'text/html' : 'application/json',
    'cache-control': 'public',
    ...out.headers,
  };
  if (cut === 'truncate') {
    countFault(state.stats, 'truncate');
    const part = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    res.writeHead(out.status, { ...headers, 'content-length': part.length });
    state.stats.bytes += part.length;
    res.end(part);
    return;
  }
  res.writeHead(out.status, { ...headers, 'content-length': body.length });
  state.stats.bytes += body.length;
  if (cut === 'reset') {
    countFault(state.stats, 'reset');
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.resetAndDestroy());
    return;
  }
  res.end(body);
}
