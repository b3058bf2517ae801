// Live request counters of the fake server (pure, in memory).
import type { FakeStats, LogEntry } from './types.ts';

const LOG_LIMIT = 10_000;

export function createStats(): FakeStats {
  return { requests: 0, bytes: 0, byRoute: {}, byStatus: {}, inFlight: 0, peakInFlight: 0, faultsInjected: {}, log: [] };
}

/** Resets in place, so references the tests hold stay live. */
export function resetStats(stats: FakeStats): void {
  Object.assign(stats, { requests: 0, bytes: 0, byRoute: {}, byStatus: {}, peakInFlight: stats.inFlight, faultsInjected: {}, log: [] });
}

export function countFault(stats: FakeStats, kind: string): void {
  stats.faultsInjected[kind] = (stats.faultsInjected[kind] ?? 0) + 1;
}

export function recordResponse(stats: FakeStats, route: string, entry: LogEntry): void {
  stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
  stats.byStatus[String(entry.status)] = (stats.byStatus[String(entry.status)] ?? 0) + 1;
  stats.log.push(entry);
  if (stats.log.length > LOG_LIMIT) stats.log.splice(0, stats.log.length - LOG_LIMIT);
}
