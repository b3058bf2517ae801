// Canonical hashing and change computation between tracked objects. Pure.
import { hash as digest } from 'node:crypto';
import { spanHashOf } from '../api/record-spans.ts';
import { createPatch, type Operation } from 'rfc6902';

/** The hash of a value whose keys are already in canonical (sorted) order, such as a tracked object:
 * native `JSON.stringify` gives the same text as a canonical serializer, several times faster. The
 * SHA-1 of that text in UTF-8: the hash rows stored by earlier versions carry. */
export function hashCanonical(value: unknown): string {
  return hashBytes(canonicalBytes(value));
}

/** The canonical JSON text of a value as UTF-8 bytes (an insert's change row sends them as its object,
 * after hashing them). */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value) ?? 'undefined');
}

export function hashBytes(bytes: Uint8Array): string {
  return digest('sha1', bytes, 'base64url');
}

/** `object[key] = value` as JSON.parse does it: assigning `__proto__` would set the prototype and lose
 * the key, where JSON.parse makes it an own key. */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** Bumped whenever validation or normalization changes what a record becomes: every stored raw hash
 * then differs once, so the next run validates and rewrites each record instead of trusting the hash. */
export const RAW_HASH_VERSION = 'r2';

/** The hash of a record as the API sent it, taken before validation: equal to the stored `raw_hash`,
 * the record is byte for byte the one stored, so it is neither validated nor diffed again. Embedded
 * children (`omit`: a dataset's `resources`) are left out, each hashed on its own with its parent id
 * (a move is a change). Taken of the record's bytes in its body when they are known (record-spans.ts),
 * else of its serialization (native JSON order is the API's, stable between calls), which throws a
 * RangeError on a record too deep to serialize. */
export function recordHash(record: unknown, parentId?: string | null, omit: readonly string[] = []): string {
  const known = spanHashOf(record);
  if (known && known.parentId === (parentId ?? null) && known.omit === cutFields(record, omit)) return known.hash;
  let value = record;
  if (omit.length && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const own: Record<string, unknown> = {};
    for (const key in value) {
      if (!Object.hasOwn(value, key) || omit.includes(key)) continue;
      setOwn(own, key, (value as Record<string, unknown>)[key]);
    }
    value = own;
  }
  return digest('sha1', `${RAW_HASH_VERSION}${JSON.stringify(parentId ? [parentId, value] : value) ?? 'undefined'}`, 'base64url');
}

/** The omitted fields a hash of the record's bytes cuts out: those whose value is an array. */
function cutFields(record: unknown, omit: readonly string[]): string {
  if (omit.length === 0 || record === null || typeof record !== 'object') return '';
  const value = record as Record<string, unknown>;
  return omit.filter((key) => Object.hasOwn(value, key) && Array.isArray(value[key])).sort().join();
}

export interface ComputedChange {
  changed_fields: string[];
  patch: Operation[];
}

/** The RFC 6902 patch from old to new and the top-level keys it touches. */
export function computeChange(oldValue: unknown, newValue: unknown): ComputedChange {
  const patch = createPatch(oldValue, newValue);
  return { patch, changed_fields: topLevelFields(patch) };
}

/** The change row of a first sighting: the whole document added. */
export function insertChange(newValue: Record<string, unknown>): ComputedChange {
  return { patch: [{ op: 'add', path: '', value: newValue }], changed_fields: Object.keys(newValue).sort() };
}

/** The change row of a tombstone: the whole document removed. */
export function deleteChange(): ComputedChange {
  return { patch: [{ op: 'remove', path: '' }], changed_fields: [] };
}

function topLevelFields(patch: Operation[]): string[] {
  const fields = new Set<string>();
  for (const op of patch) {
    const first = op.path.split('/')[1];
    if (first !== undefined) fields.add(first.replaceAll('~1', '/').replaceAll('~0', '~'));
  }
  return [...fields].sort();
}
