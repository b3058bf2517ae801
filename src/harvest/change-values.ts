// What a change row says beyond its patch: the old and new values of the changed top-level keys,
// and which of those keys are only modification stamps. Pure.
import { computeChange, type ComputedChange } from './fingerprint.ts';

/** Top-level keys that only say "this was modified" (DESIGN §2: the stamps of the manifest pass, in
 * every kind): kept out of `changed_fields` and listed in `stamp_fields`, so that a title edit reads
 * `{title}` and not `{internal, last_modified, last_update, title}`. Their values are still kept in
 * `old_values` / `new_values`, so the object as of any date stays exact. */
export const STAMP_KEYS: ReadonlySet<string> = new Set(['internal', 'last_modified', 'last_update', 'metadata_modified_at']);

/** A change with its values, as `insertChanges` stores it: `changed_fields` without the stamps. */
export interface DescribedChange extends ComputedChange {
  stamp_fields: string[];
  /** The changed keys' values before (keys absent before are absent). */
  old_values?: Record<string, unknown> | null;
  /** The changed keys' values after (keys removed are absent); an insert's or a restore's whole object
   * (an insert's is stored as its patch only). */
  new_values?: Record<string, unknown> | null;
}

/** Splits changed keys into real changes and modification stamps. */
export function splitStamps(fields: readonly string[]): { changed_fields: string[]; stamp_fields: string[] } {
  // A tracked object's keys (an insert's) come sorted and distinct: no set nor sort to build.
  const all = isStrictlySorted(fields) ? fields : [...new Set(fields)].sort();
  return { changed_fields: all.filter((f) => !STAMP_KEYS.has(f)), stamp_fields: all.filter((f) => STAMP_KEYS.has(f)) };
}

function isStrictlySorted(fields: readonly string[]): boolean {
  for (let i = 1; i < fields.length; i++) if (!(fields[i - 1]! < fields[i]!)) return false;
  return true;
}

/** The values of `keys` in `object` (own keys only; `__proto__` stays an ordinary key). */
function pick(object: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => Object.hasOwn(object, k)).map((k) => [k, object[k]]));
}

/** The change between two tracked objects: the patch, the keys it touches and their old and new values. */
export function describeUpdate(before: Record<string, unknown>, after: Record<string, unknown>): DescribedChange {
  const { patch, changed_fields: keys } = computeChange(before, after);
  return { patch, ...splitStamps(keys), old_values: pick(before, keys), new_values: pick(after, keys) };
}

/** A first sighting: the whole object added. */
export function describeInsert(after: Record<string, unknown>): DescribedChange {
  return { patch: [{ op: 'add', path: '', value: after }], ...splitStamps(Object.keys(after)), old_values: null, new_values: after };
}

/** A tombstoned entity seen again: its patch and old values are against the object it had when it was
 * deleted, and it carries the whole object that came back. */
export function describeRestore(change: DescribedChange, after: Record<string, unknown>): DescribedChange {
  return { ...change, new_values: after };
}
