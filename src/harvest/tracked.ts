// What counts as a change: strips volatile fields and reduces embedded references to ids. Pure.

/** Keys whose values move without a real change (DESIGN §1): stored, never a `changes` row. */
export const VOLATILE_KEYS = new Set(['metrics', 'permissions', 'quality', 'last_login_at']);

/** Crawler heartbeat extras of resources (`check:*`, `analysis:*`). */
export function isCrawlerExtra(key: string): boolean {
  return key.startsWith('check:') || key.startsWith('analysis:');
}

const REFERENCE_CLASSES = new Set(['Organization', 'User', 'Dataset', 'Reuse']);

/** An embedded reference (`{class: 'Organization', id, name...}`) counts by its id only. */
function isReference(value: Record<string, unknown>): value is Record<string, unknown> & { id: string } {
  return typeof value.class === 'string' && REFERENCE_CLASSES.has(value.class) && typeof value.id === 'string';
}

/** The tracked form of an entity: its own keys, without volatile ones, references reduced to ids. */
export function trackedEntity(raw: Record<string, unknown>): Record<string, unknown> {
  return trackedObject(raw);
}

/** Keys are inserted in sorted order at every level, so `JSON.stringify` of a tracked object is
 * canonical: equal content, equal text, whatever order the API sent. */
function trackedObject(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object).sort()) {
    if (VOLATILE_KEYS.has(key)) continue;
    const child = object[key];
    const value = key === 'extras' ? withoutCrawlerExtras(child) : toTracked(child);
    // Assigning `__proto__` would set the prototype and lose the key (JSON.parse makes it an own key).
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

/** A deep copy without volatile keys, with references reduced to their ids. */
function toTracked(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toTracked);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  return isReference(object) ? object.id : trackedObject(object);
}

function withoutCrawlerExtras(extras: unknown): unknown {
  if (extras === null || typeof extras !== 'object' || Array.isArray(extras)) return toTracked(extras);
  return Object.fromEntries(
    Object.keys(extras as Record<string, unknown>)
      .sort()
      .filter((key) => !isCrawlerExtra(key))
      .map((key) => [key, toTracked((extras as Record<string, unknown>)[key])]),
  );
}
