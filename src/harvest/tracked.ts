// What counts as a change: strips a kind's volatile keys and reduces embedded references to ids. Pure.
import { setOwn } from './fingerprint.ts';
import { VOLATILE_KEYS } from './kinds/kind.ts';
import { isCrawlerExtra } from './kinds/resources.ts';

/** What a kind says is volatile (default: the keys volatile everywhere, and crawler extras). */
export interface Volatility {
  volatileKeys: ReadonlySet<string>;
  isVolatileExtra?(key: string): boolean;
}

const DEFAULT_VOLATILITY: Volatility = { volatileKeys: VOLATILE_KEYS, isVolatileExtra: isCrawlerExtra };

const REFERENCE_CLASSES = new Set(['Organization', 'User', 'Dataset', 'Reuse']);

/** An embedded reference (`{class: 'Organization', id, name...}`) counts by its id only. */
function isReference(value: Record<string, unknown>): value is Record<string, unknown> & { id: string } {
  return typeof value.class === 'string' && REFERENCE_CLASSES.has(value.class) && typeof value.id === 'string';
}

/** A key set on the tracked object over the entity's own (a child's parent id under its column name). */
export interface AddedKey {
  key: string;
  value: unknown;
}

/** The tracked form of an entity: its own keys, without its kind's volatile ones, references reduced
 * to ids; `added` is set in its sorted place, whether the entity has that key or not. */
export function trackedEntity(raw: Record<string, unknown>, volatility: Volatility = DEFAULT_VOLATILITY, added?: AddedKey): Record<string, unknown> {
  return trackedObject(raw, volatility, added);
}

/** Keys are inserted in sorted order at every level, so `JSON.stringify` of a tracked object is
 * canonical: equal content, equal text, whatever order the API sent. */
function trackedObject(object: Record<string, unknown>, v: Volatility, added?: AddedKey): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(object);
  if (added && !Object.hasOwn(object, added.key)) keys.push(added.key);
  for (const key of sortKeys(keys)) {
    if (added && key === added.key) {
      setOwn(out, key, added.value);
      continue;
    }
    if (v.volatileKeys.has(key)) continue;
    const child = object[key];
    const value = key === 'extras' && v.isVolatileExtra ? withoutVolatileExtras(child, v) : toTracked(child, v);
    setOwn(out, key, value);
  }
  return out;
}

/** A deep copy without volatile keys, with references reduced to their ids. */
function toTracked(value: unknown, v: Volatility): unknown {
  if (Array.isArray(value)) return value.map((item) => toTracked(item, v));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  return isReference(object) ? object.id : trackedObject(object, v);
}

function withoutVolatileExtras(extras: unknown, v: Volatility): unknown {
  if (extras === null || typeof extras !== 'object' || Array.isArray(extras)) return toTracked(extras, v);
  return Object.fromEntries(
    sortKeys(Object.keys(extras as Record<string, unknown>))
      .filter((key) => !v.isVolatileExtra!(key))
      .map((key) => [key, toTracked((extras as Record<string, unknown>)[key], v)]),
  );
}

/** `keys.sort()` in place without the copy of the array V8's sort makes first (a full sync sorts the
 * keys of half a million objects, most of them a few keys long): an insertion sort by UTF-16 code
 * units, as the default sort compares; a long array goes to the built-in sort. */
export function sortKeys(keys: string[]): string[] {
  if (keys.length > 48) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
