// What a record that cannot be processed costs: which failures are the record's, a sentence for
// `rejected_records.reason` and a payload that can itself be stored, however deep or odd the record. Pure.

/** Nesting kept in a rejected payload: deeper values are cut (the reason says how deep the record was). */
export const MAX_PAYLOAD_DEPTH = 64;

/** Nesting depth of a JSON value (a scalar is 0, `{}` is 1), measured without recursion. */
export function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return max;
}

/** Why processing one record failed, in one sentence naming the step. A stack overflow (JSON.stringify,
 * tracking, diffing) is a record nested too deeply: its depth is measured and named. */
export function describeRecordFailure(step: string, error: unknown, record: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError && /call stack/i.test(message)) {
    const depth = depthOf(record);
    const what = depth > MAX_PAYLOAD_DEPTH ? `the record is nested ${depth} levels deep` : 'a value is nested';
    return `${step} failed: ${what}, too deep to process (${message})`;
  }
  const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  return `${step} failed: ${name}${message}`;
}

/** SQLSTATE class 22 (data exception: out-of-range number or date, bad encoding) and 54 (too large,
 * too deep), or a RangeError of serialization: faults of the data, not of the database. */
export function isRecordFault(error: unknown): boolean {
  if (error instanceof RangeError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}

/** The message and, when PostgreSQL gave one, its detail ("Unicode low surrogate must follow a high surrogate."). */
export function describePostgresError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const detail = (error as { detail?: unknown }).detail;
  return typeof detail === 'string' && detail ? `${error.message} (${detail.replace(/\.$/, '')})` : error.message;
}

/** The record itself when it is shallow enough to serialize and store; else a copy cut at
 * MAX_PAYLOAD_DEPTH, with a string in place of each deeper value. */
export function storablePayload(record: unknown): unknown {
  if (record === undefined) return null;
  return depthOf(record) <= MAX_PAYLOAD_DEPTH ? record : cut(record, MAX_PAYLOAD_DEPTH);
}

// Recursion is bounded by `left`, so it cannot overflow.
function cut(value: unknown, left: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (left === 0) return `[cut: nested deeper than ${MAX_PAYLOAD_DEPTH} levels]`;
  if (Array.isArray(value)) return value.map((item) => cut(item, left - 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cut(item, left - 1)]));
}
