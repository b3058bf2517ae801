// Deterministic fault decisions: a hash of (seed, method+url, how often that url was asked) picks each outcome (pure).
import { unit } from './prng.ts';
import type { FaultOptions } from './types.ts';

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'status'; status: number; cause: 'error' | 'failTimes' }
  | { kind: '429'; retryAfter: number }
  | { kind: 'reset' }
  | { kind: 'truncate' };

const DEFAULT_STATUSES = [500, 502, 503, 504];

export class FaultPlan {
  private options: FaultOptions = {};
  /** Requests seen per method+url, so a retry of the same url gets a fresh draw. */
  private readonly seen = new Map<string, number>();
  private matched = 0;

  constructor(private readonly defaultSeed: number) {}

  get current(): Readonly<FaultOptions> {
    return this.options;
  }

  /** Replaces the options and restarts the counters, so a test's outcomes do not depend on earlier traffic. */
  set(options: FaultOptions): void {
    this.options = { ...options };
    this.seen.clear();
    this.matched = 0;
  }

  private matches(pathAndQuery: string): boolean {
    const m = this.options.match;
    if (m === undefined) return true;
    return typeof m === 'string' ? pathAndQuery.includes(m) : m.test(pathAndQuery);
  }

  /** The fault for this request, and the latency to add before answering. */
  decide(method: string, pathAndQuery: string): { fault: FaultDecision; delayMs: number } {
    const o = this.options;
    if (!this.matches(pathAndQuery)) return { fault: { kind: 'none' }, delayMs: 0 };
    const key = `${method} ${pathAndQuery}`;
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    const seed = o.seed ?? this.defaultSeed;
    const jitter = o.latencyJitterMs ? Math.floor(unit(seed, 'latency', key, n) * o.latencyJitterMs) : 0;
    const delayMs = (o.latencyMs ?? 0) + jitter;
    const statuses = o.errorStatuses?.length ? o.errorStatuses : DEFAULT_STATUSES;
    if (o.failTimes !== undefined && o.match !== undefined) {
      this.matched += 1;
      if (this.matched <= o.failTimes) return { fault: { kind: 'status', status: statuses[0] ?? 500, cause: 'failTimes' }, delayMs };
    }
    return { fault: this.draw(seed, key, n, statuses), delayMs };
  }

  /** One uniform draw split into disjoint bands, one per fault kind. */
  private draw(seed: number, key: string, n: number, statuses: number[]): FaultDecision {
    const o = this.options;
    const u = unit(seed, 'fault', key, n);
    let edge = o.rate429 ?? 0;
    if (u < edge) return { kind: '429', retryAfter: o.retryAfterSeconds ?? 1 };
    edge += o.errorRate ?? 0;
    if (u < edge) {
      const status = statuses[Math.floor(unit(seed, 'status', key, n) * statuses.length)] ?? 500;
      return { kind: 'status', status, cause: 'error' };
    }
    edge += o.resetRate ?? 0;
    if (u < edge) return { kind: 'reset' };
    edge += o.truncateRate ?? 0;
    if (u < edge) return { kind: 'truncate' };
    return { kind: 'none' };
  }
}
