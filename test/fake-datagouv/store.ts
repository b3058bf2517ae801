// The catalog's storage: generated entities by index, materialized overrides, lookups and cached orderings (pure, in memory).
import { loadTemplates } from './fixtures.ts';
import { type GenContext } from './gen-common.ts';
import { generateDataset } from './gen-dataset.ts';
import { generateOrganization } from './gen-organization.ts';
import { generateReuse } from './gen-reuse.ts';
import { generateUser } from './gen-user.ts';
import { hash32 } from './prng.ts';
import { METRIC_SORTS, SORTS, rowOf, type Row } from './rows.ts';
import { CatalogClock, CLOCK_BASE_MS } from './time.ts';
import { KINDS, type JsonObject, type Kind } from './types.ts';

export interface Entry {
  kind: Kind;
  index: number;
  /** The id it was created with: the lookup key even if setRaw plants another `id`. */
  id: string;
  row: Row;
  /** Present once mutated, added or planted; otherwise the object is regenerated on demand. */
  obj?: JsonObject;
  raw?: boolean;
  purged?: boolean;
  userDeleted?: boolean;
}

/** Which entities a listing serves. */
export type Scope = { type: 'list' } | { type: 'filter'; field: 'org' | 'owner'; id: string } | { type: 'org-datasets'; id: string };

type Generator = (ctx: GenContext, index: number, mode?: 'full' | 'rows') => JsonObject;
const GENERATORS: Record<Kind, Generator> = {
  datasets: generateDataset,
  organizations: generateOrganization,
  reuses: generateReuse,
  users: generateUser,
};

export class CatalogStore {
  readonly ctx: GenContext;
  protected readonly clock: CatalogClock;
  protected readonly entries: Record<Kind, Entry[]> = { datasets: [], organizations: [], reuses: [], users: [] };
  private readonly byKey: Record<Kind, Map<string, Entry>> = { datasets: new Map(), organizations: new Map(), reuses: new Map(), users: new Map() };
  private readonly orderCache = new Map<string, Entry[]>();
  private orderVersion = -1;
  /** Kinds whose generated rows hold metric keys of an older metrics epoch. */
  protected readonly metricStale = new Set<Kind>();
  /** Bumped by every mutation; invalidates cached orderings. */
  protected version = 0;

  constructor(seed: number, counts: Record<Kind, number>, hidden: boolean) {
    const clockStartMs = CLOCK_BASE_MS + (hash32(seed, 'clock') % 86_400) * 1000;
    this.ctx = { seed, counts, hidden, clockStartMs, metricsEpoch: { datasets: 0, organizations: 0, reuses: 0, users: 0 }, crawlerEpoch: 0, tpl: loadTemplates() };
    this.clock = new CatalogClock(clockStartMs);
    for (const kind of KINDS) {
      for (let i = 0; i < counts[kind]; i++) {
        const o = GENERATORS[kind](this.ctx, i, 'rows');
        this.insert(kind, { kind, index: i, id: String(o['id']), row: rowOf(kind, o) });
      }
    }
  }

  /** The catalog clock's current stamp (advances ≥ 1 s per mutation). */
  now(): string {
    return this.clock.now();
  }

  protected insert(kind: Kind, entry: Entry): Entry {
    this.entries[kind].push(entry);
    this.byKey[kind].set(entry.id, entry);
    if (entry.row.slug && !this.byKey[kind].has(entry.row.slug)) this.byKey[kind].set(entry.row.slug, entry);
    return entry;
  }

  protected generate(kind: Kind, index: number): JsonObject {
    return GENERATORS[kind](this.ctx, index);
  }

  /** By id or slug; purged entities are still found (callers answer 404 for them). */
  resolve(kind: Kind, key: string): Entry | undefined {
    return this.byKey[kind].get(key);
  }

  /** The stored object as it stands now (regenerated when never mutated). */
  stored(entry: Entry): JsonObject {
    return entry.obj ?? this.generate(entry.kind, entry.index);
  }

  /** Materializes an entity so it can be mutated in place. */
  protected own(kind: Kind, id: string): Entry & { obj: JsonObject } {
    const entry = this.resolve(kind, id);
    if (!entry || entry.purged) throw new Error(`fake catalog: no ${kind} with id ${id}`);
    entry.obj ??= this.generate(kind, entry.index);
    return entry as Entry & { obj: JsonObject };
  }

  /** Recomputes the row after a mutation and registers a new slug. */
  protected touch(entry: Entry): void {
    if (entry.obj) entry.row = rowOf(entry.kind, entry.obj, entry.userDeleted);
    if (entry.row.slug && !this.byKey[entry.kind].has(entry.row.slug)) this.byKey[entry.kind].set(entry.row.slug, entry);
    this.version += 1;
  }

  private refreshRows(kind: Kind): void {
    for (const e of this.entries[kind]) if (!e.obj) e.row = rowOf(kind, GENERATORS[kind](this.ctx, e.index, 'rows'));
  }

  all(kind: Kind): readonly Entry[] {
    return this.entries[kind];
  }

  /** Whether the anonymous listing of the scope shows the entry. */
  inScope(kind: Kind, entry: Entry, scope: Scope): boolean {
    const r = entry.row;
    if (entry.purged) return false;
    if (scope.type === 'org-datasets') return r.org === scope.id && !r.private;
    if (scope.type === 'filter' && r[scope.field] !== scope.id) return false;
    if (kind === 'datasets') return !r.private && !r.deleted && !r.archived;
    if (kind === 'reuses') return !r.private && !r.deleted;
    return !r.deleted;
  }

  /** Entries of a scope in sort order (ties by id), cached until the next mutation. */
  ordered(kind: Kind, scope: Scope, sort: string): Entry[] {
    if (this.orderVersion !== this.version) {
      this.orderCache.clear();
      this.orderVersion = this.version;
    }
    const cacheKey = `${kind}|${JSON.stringify(scope)}|${sort}`;
    const hit = this.orderCache.get(cacheKey);
    if (hit) return hit;
    const desc = sort.startsWith('-');
    const field = desc ? sort.slice(1) : sort;
    if (!SORTS[kind][field]) throw new Error(`fake catalog: unknown sort ${sort}`);
    if (METRIC_SORTS.has(field) && this.metricStale.delete(kind)) this.refreshRows(kind);
    const keyed = this.entries[kind].filter((e) => this.inScope(kind, e, scope)).map((e) => ({ e, k: e.row.keys[field] ?? '' }));
    const sign = desc ? -1 : 1;
    keyed.sort((a, b) => sign * (compare(a.k, b.k) || compare(a.e.id, b.e.id)));
    const out = keyed.map((x) => x.e);
    if (this.orderCache.size > 64) this.orderCache.clear();
    this.orderCache.set(cacheKey, out);
    return out;
  }
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === 'number' ? -1 : 1;
}
