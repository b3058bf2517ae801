// Entry point of the loopback fake of data.gouv.fr: starts a seeded catalog behind node:http (touches HTTP).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeCatalog } from './catalog.ts';
import { FaultPlan } from './faults.ts';
import { handleRequest, type ServerState } from './server.ts';
import { createStats, resetStats } from './stats.ts';
import type { FakeOptions, FakeStats, FaultOptions, Kind } from './types.ts';

export { FakeCatalog } from './catalog.ts';
export { applyMask, parseMask, MaskError } from './field-mask.ts';
export type { FakeOptions, FakeStats, FaultOptions, Kind, Json, JsonObject, LogEntry } from './types.ts';

export interface FakeDatagouv {
  /** Site root, e.g. http://127.0.0.1:41234 (clients call `${url}/api/1/...`). */
  url: string;
  catalog: FakeCatalog;
  /** Resolves once a refuseConnections change has taken effect (the server stopped or listens again). */
  setFaults(faults: FaultOptions): Promise<void>;
  clearFaults(): Promise<void>;
  stats: FakeStats;
  resetStats(): void;
  /** Closes the server and every open socket. */
  close(): Promise<void>;
}

/** Production sizes at scale 1 (reference §7). */
const SCALE_1: Record<Kind, number> = { datasets: 75_000, organizations: 6_000, reuses: 6_500, users: 71_000, dataservices: 1_235 };

export function countsFor(options: FakeOptions): Record<Kind, number> {
  const scale = options.scale ?? 0.001;
  const out = { ...SCALE_1 };
  for (const kind of Object.keys(out) as Kind[]) out[kind] = options.counts?.[kind] ?? Math.max(1, Math.round(SCALE_1[kind] * scale));
  return out;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startFakeDatagouv(options: FakeOptions = {}): Promise<FakeDatagouv> {
  const host = options.host ?? '127.0.0.1';
  const seed = options.seed ?? 1;
  const catalog = new FakeCatalog(seed, countsFor(options), options.hiddenEntities ?? true);
  const faults = new FaultPlan(seed);
  const stats = createStats();
  let base = options.publicUrl?.replace(/\/+$/, '') ?? '';
  const state: ServerState = { catalog, faults, stats, adminKey: options.adminKey ?? 'fake-admin-key', base: () => base };
  const server = createServer((req, res) => {
    handleRequest(state, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fake-datagouv: ${String(err)}` }));
    });
  });
  server.keepAliveTimeout = 5_000;
  const port = await listen(server, options.port ?? 0, host);
  const url = `http://${host}:${port}`;
  base ||= url;
  catalog.setBaseUrl(base);
  let closed = false;
  const setFaults = async (f: FaultOptions): Promise<void> => {
    faults.set(f);
    if (closed) return;
    if (f.refuseConnections) await stop(server);
    else if (!server.listening) await listen(server, port, host);
  };
  if (options.faults) await setFaults(options.faults);
  return {
    url,
    catalog,
    stats,
    setFaults,
    clearFaults: () => setFaults({}),
    resetStats: () => resetStats(stats),
    close: async () => {
      closed = true;
      await stop(server);
    },
  };
}
