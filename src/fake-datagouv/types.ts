// Shared types of the fake data.gouv.fr: options, faults, stats and JSON shapes (pure, no I/O).

export type Kind = 'datasets' | 'organizations' | 'reuses' | 'users' | 'dataservices';
/** Generation order; each kind draws from its own PRNG stream, so appending a kind leaves the others byte-identical. */
export const KINDS: readonly Kind[] = ['datasets', 'organizations', 'reuses', 'users', 'dataservices'];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface FaultOptions {
  /** Seed of the fault decisions; default the catalog seed. */
  seed?: number;
  /** Fraction of requests answered with a 5xx from `errorStatuses`. */
  errorRate?: number;
  /** Default [500, 502, 503, 504]. */
  errorStatuses?: number[];
  /** Fraction of requests answered 429 with a Retry-After header. */
  rate429?: number;
  /** Retry-After value of injected 429s; default 1. */
  retryAfterSeconds?: number;
  /** Added before answering. */
  latencyMs?: number;
  latencyJitterMs?: number;
  /** Fraction of requests whose socket is reset mid-response. */
  resetRate?: number;
  /** Fraction of requests answered with a valid status and headers but a cut JSON body. */
  truncateRate?: number;
  /** Stop listening (clients get ECONNREFUSED); clearing it listens again on the same port. */
  refuseConnections?: boolean;
  /** Only requests whose path+query matches are subject to faults. */
  match?: string | RegExp;
  /** With `match`: the first N matching requests fail with errorStatuses[0], then succeed. */
  failTimes?: number;
  /** A dataset listing page embedding more resources than this answers 502. */
  maxResourcesPerPage?: number;
  /** Ignore `X-Fields` and serve full objects, as a server (or a proxy) that drops the mask may. */
  ignoreFieldMask?: boolean;
}

export interface FakeOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (random). */
  port?: number;
  /** Default 1; same seed and counts give a byte-identical catalog. */
  seed?: number;
  /** 1 ≈ 75 000 datasets, 6 000 orgs, 71 000 users, 6 500 reuses, 1 235 dataservices; default 0.001. */
  scale?: number;
  /** Overrides `scale` per kind. */
  counts?: Partial<Record<Kind, number>>;
  /** X-API-KEY value that unlocks /api/1/users/; default 'fake-admin-key'. */
  adminKey?: string;
  faults?: FaultOptions;
  /** Base of next_page/uri/page links; default the server's own http://host:port. */
  publicUrl?: string;
  /** Generate a realistic share of private/archived/deleted entities; default true. */
  hiddenEntities?: boolean;
}

export interface LogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  headers: { 'user-agent': string | null; 'x-fields': string | null; 'has-api-key': boolean };
  at: string;
}

export interface FakeStats {
  requests: number;
  /** Response body bytes sent (what the API's egress would be for these requests). */
  bytes: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  inFlight: number;
  peakInFlight: number;
  faultsInjected: Record<string, number>;
  log: LogEntry[];
}
