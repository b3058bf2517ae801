// Shared pieces of the catalog generator: context, creation dates, ids, metrics (pure).
import { objectId, rngFor, type Rng } from './prng.ts';
import { DAY_MS, HISTORY_START_MS, monthKey } from './time.ts';
import type { Templates } from './fixtures.ts';
import type { Json, JsonObject, Kind } from './types.ts';

export interface GenContext {
  seed: number;
  /** How many entities of each kind the generator produces (indices 0..n-1). */
  counts: Record<Kind, number>;
  hidden: boolean;
  clockStartMs: number;
  /** Incremented by bumpMetrics; part of every generated metrics value. */
  metricsEpoch: Record<Kind, number>;
  /** Incremented by touchCrawlerExtras; part of every generated check:* heartbeat. */
  crawlerEpoch: number;
  tpl: Templates;
}

/** Creation time of a generated entity: spread over the history, increasing with the index. */
export function createdMsFor(ctx: GenContext, kind: Kind, index: number): number {
  const n = Math.max(1, ctx.counts[kind]);
  const span = ctx.clockStartMs - 30 * DAY_MS - HISTORY_START_MS;
  const jitter = rngFor(ctx.seed, kind, 'created', index).next() * 0.9;
  return Math.floor(HISTORY_START_MS + ((index + jitter) / n) * span);
}

export function idFor(ctx: GenContext, kind: Kind, index: number): string {
  return objectId(createdMsFor(ctx, kind, index), rngFor(ctx.seed, kind, 'id', index));
}

/** A time in [fromMs, toMs], biased to recent values like real modification dates. */
export function between(rng: Rng, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return fromMs;
  return Math.floor(fromMs + Math.sqrt(rng.next()) * (toMs - fromMs));
}

/** Index in [0, n) skewed to small indices, so a few organizations own many datasets. */
export function skewedIndex(rng: Rng, n: number, power = 3): number {
  return Math.min(n - 1, Math.floor(n * rng.next() ** power));
}

/** `{ '2025-09': 0, ... }` over the 13 months before the clock start. */
export function byMonths(rng: Rng, endMs: number, max: number): JsonObject {
  let keys = monthKeys.get(endMs);
  if (!keys) {
    keys = Array.from({ length: 13 }, (_, i) => monthKey(endMs - (12 - i) * 30.4 * DAY_MS));
    monthKeys.set(endMs, keys);
  }
  const out: JsonObject = {};
  for (const k of keys) out[k] = rng.int(0, max);
  return out;
}
const monthKeys = new Map<number, string[]>();

/** Metrics shaped like `base`, each number moved by the epoch so a bump changes every value. */
export function epochMetrics(ctx: GenContext, kind: Kind, key: string | number, base: JsonObject): JsonObject {
  const epoch = ctx.metricsEpoch[kind];
  if (epoch === 0) return base;
  const rng = rngFor(ctx.seed, kind, 'metrics-bump', key, epoch);
  return bumpNumbers(base, () => epoch * rng.int(1, 9)) as JsonObject;
}

/** Adds a positive delta to every number inside a value (metrics maps included). */
export function bumpNumbers(value: Json, delta: () => number): Json {
  if (typeof value === 'number') return value + delta();
  if (Array.isArray(value)) return value.map((v) => bumpNumbers(v, delta));
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = bumpNumbers(v, delta);
    return out;
  }
  return value;
}

export function str(value: Json | undefined, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

export function obj(value: Json | undefined): JsonObject | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && value !== undefined ? value : null;
}

export function sortKeys(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k] as Json;
  return out;
}
