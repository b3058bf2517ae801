// Removes U+0000 (which PostgreSQL text and jsonb cannot hold) from a parsed body, never merging two
// keys: an object whose keys would collide once stripped is remembered, with every object holding it,
// so that validation rejects the record instead of storing one key in place of two. Pure.

const NUL = '\u0000';

/** A collision found while stripping: where (relative to the remembered object) and which keys. */
export interface NulKeyCollision {
  path: Array<string | number>;
  keys: [string, string];
}

/** Objects and arrays (the record and its ancestors) that hold a collision. Weak: no body is kept alive. */
const collisions = new WeakMap<object, NulKeyCollision>();

interface Frame {
  node: Record<string, unknown> | unknown[];
  parent: Frame | null;
  /** Where `node` sits in `parent`. */
  key: string | number;
}

/** Strips NUL from every string and key of `root`, in place (an object with a NUL key is rebuilt in its
 * key order). Iterative: a body nested thousands of levels deep is fine. */
export function stripNulCharacters(root: unknown): unknown {
  if (typeof root === 'string') return root.replaceAll(NUL, '');
  if (root === null || typeof root !== 'object') return root;
  const stack: Frame[] = [{ node: root as Frame['node'], parent: null, key: '' }];
  let result: unknown = root;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    let node = frame.node;
    if (!Array.isArray(node) && Object.keys(node).some((key) => key.includes(NUL))) {
      const rebuilt = rebuildWithoutNulKeys(node);
      node = rebuilt.node;
      if (frame.parent) (frame.parent.node as Record<string | number, unknown>)[frame.key] = node;
      else result = node;
      frame.node = node;
      if (rebuilt.collision) remember(frame, rebuilt.collision);
    }
    const entries: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, value] of entries) {
      if (typeof value === 'string') {
        if (value.includes(NUL)) (node as Record<string | number, unknown>)[key] = value.replaceAll(NUL, '');
      } else if (value !== null && typeof value === 'object') {
        stack.push({ node: value as Frame['node'], parent: frame, key });
      }
    }
  }
  return result;
}

/** The collision that makes `record` unstorable, if stripping found one inside it. */
export function nulKeyCollisionOf(record: unknown): NulKeyCollision | undefined {
  return record !== null && typeof record === 'object' ? collisions.get(record) : undefined;
}

/** `keys "a\u0000" and "a" (at extras) would merge once NUL characters are removed`. */
export function describeNulKeyCollision(collision: NulKeyCollision): string {
  const [a, b] = collision.keys.map((key) => JSON.stringify(key));
  const where = collision.path.length ? ` (at ${collision.path.join('.')})` : '';
  return `keys ${a} and ${b}${where} would merge once NUL characters are removed, which PostgreSQL requires`;
}

/** A copy with NUL dropped from keys; a key that would then collide keeps a visible `\u0000` instead
 * (so the rejected payload still shows both), and the first collision is returned. */
function rebuildWithoutNulKeys(node: Record<string, unknown>): { node: Record<string, unknown>; collision?: [string, string] } {
  const keys = Object.keys(node);
  let collision: [string, string] | undefined;
  const taken = new Set(keys.filter((key) => !key.includes(NUL)));
  const entries: Array<[string, unknown]> = [];
  for (const key of keys) {
    if (!key.includes(NUL)) {
      entries.push([key, node[key]]);
      continue;
    }
    let name = key.replaceAll(NUL, '');
    if (taken.has(name)) {
      collision ??= [key, name];
      name = key.replaceAll(NUL, '\\u0000');
      while (taken.has(name)) name += '\\u0000';
    }
    taken.add(name);
    entries.push([name, node[key]]);
  }
  // fromEntries defines properties: a `__proto__` key stays a key.
  return { node: Object.fromEntries(entries), ...(collision ? { collision } : {}) };
}

function remember(frame: Frame, keys: [string, string]): void {
  const path: Array<string | number> = [];
  for (let f: Frame | null = frame; f; f = f.parent) {
    if (!collisions.has(f.node)) collisions.set(f.node, { path: [...path], keys });
    path.unshift(f.key);
  }
}
