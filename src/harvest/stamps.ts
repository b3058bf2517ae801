// Modification stamps: what the manifest pass compares between the API and the mirror. Pure.
import { parseTimestamp } from './timestamps.ts';

/** The value at a JSON path, or undefined. */
function at(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** One comparable string of an entity's stamps; timestamps normalized so formats do not matter. */
export function stampOf(item: unknown, paths: string[][]): string {
  return paths
    .map((path) => {
      const value = at(item, path);
      if (typeof value !== 'string') return value == null ? '' : JSON.stringify(value);
      return parseTimestamp(value) ?? value;
    })
    .join('|');
}

/** The same from the stored raw's text values (`raw #>> path`). */
export function stampOfValues(values: Array<string | null>): string {
  return values.map((value) => (value == null ? '' : (parseTimestamp(value) ?? value))).join('|');
}
