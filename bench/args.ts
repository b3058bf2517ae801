// Command-line arguments of `npm run bench` (scale, scenarios, seed, the mirror's settings). Pure.
import { parseArgs } from 'node:util';

export const SCENARIOS = ['full', 'write-floor', 'resync', 'rss', 'incremental', 'incremental-admin', 'asof', 'latency', 'workers'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchArgs {
  /** 1 ≈ 75k datasets; default 0.1. */
  scale: number;
  seed: number;
  /** Run in the canonical order whatever order they were given in (incremental mutates the fake). */
  scenarios: Scenario[];
  /** Listing page size of the in-process runs (the mirror's default, 100). */
  pageSize: number;
  /** Requests in flight of the in-process runs (the mirror's default, 4). */
  concurrency: number;
  /** Fake latency of the workers scenario; default 300 (at 100 a page job's own CPU binds on 2 cores). */
  workersLatencyMs: number;
}

export class ArgsError extends Error {
  override name = 'ArgsError';
}

function numberOf(name: string, raw: string | undefined, fallback: number, check: (n: number) => boolean, rule: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) throw new ArgsError(`--${name} must be ${rule}, got '${raw}'.`);
  return n;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scale: { type: 'string' },
        seed: { type: 'string' },
        scenarios: { type: 'string' },
        'page-size': { type: 'string' },
        concurrency: { type: 'string' },
        'workers-latency-ms': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new ArgsError(`${text.replace(/\.$/, '')} (options: --scale --scenarios --seed --page-size --concurrency --workers-latency-ms).`);
  }
  const wanted = (values['scenarios'] ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length || wanted.length === 0) {
    throw new ArgsError(`--scenarios takes a comma-separated list of ${SCENARIOS.join(', ')}; got '${values['scenarios'] ?? ''}'.`);
  }
  return {
    scale: numberOf('scale', values['scale'], 0.1, (n) => n > 0 && n <= 10, 'a number in (0, 10]'),
    seed: numberOf('seed', values['seed'], 1, Number.isInteger, 'an integer'),
    scenarios: SCENARIOS.filter((s) => wanted.includes(s)),
    pageSize: numberOf('page-size', values['page-size'], 100, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer in [1, 1000]'),
    concurrency: numberOf('concurrency', values['concurrency'], 4, (n) => Number.isInteger(n) && n >= 1 && n <= 32, 'an integer in [1, 32]'),
    workersLatencyMs: numberOf('workers-latency-ms', values['workers-latency-ms'], 300, (n) => Number.isInteger(n) && n >= 0 && n <= 5_000, 'an integer in [0, 5000]'),
  };
}
