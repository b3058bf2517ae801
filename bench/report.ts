// One JSON line per scenario on stdout, human progress on stderr. Pure apart from writing to them.

export interface Line {
  scenario: string;
  scale: number;
  seconds: number | null;
  baseline_seconds: number | null;
  ratio: number | null;
  target: string;
  ok: boolean;
  [extra: string]: unknown;
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function rounded(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : round(value);
  if (Array.isArray(value)) return value.map(rounded);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)]));
  return value;
}

/** Ratios and seconds rounded for reading; `ok` decided by the caller's comparison. */
export function printLine(line: Line): void {
  const outside = line['outside_load_cores'];
  if (typeof outside === 'number' && outside > 0.25) {
    say(`${line.scenario}: other work on the machine used ${outside.toFixed(2)} core(s) during the measurement: its numbers are pessimistic, re-run on a quiet machine`);
  }
  process.stdout.write(`${JSON.stringify(rounded(line))}\n`);
}

export function say(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

export function seconds(sinceMs: number): number {
  return (performance.now() - sinceMs) / 1000;
}
