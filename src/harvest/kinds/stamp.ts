// A manifest item's stamp value as a typed column holds it: the same lenient timestamp parsing. Pure.
import { timestampOrNull } from '../../api/timestamps.ts';
import { at } from './kind.ts';

/** The timestamp at `path` of a manifest item, normalized like the column it is compared with. */
export function stampAt(item: Record<string, unknown>, ...path: string[]): string | null {
  const value = at(item, ...path);
  return typeof value === 'string' ? timestampOrNull(value) : null;
}
