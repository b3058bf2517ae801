// The catalog's storage: generated entities by index, materialized overrides, lookups and cached orderings (pure, in memory).
import { loadTemplates } from './fixtures.ts';
import { type GenContext } from './gen-common.ts';
import { generateDataservice } from './gen-dataservice.ts';
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

/** Conditions a filtered listing ANDs: organization, owner, tag, a served dataset (dataservices), served by a dataservice (datasets). */
export interface Where {
  org?: string;
  owner?: string;
  tag?: string;
  dataset?: string;
  servedBy?: string;
}

/** Which entities a listing serves. */
export type Scope = { type: 'list' } | { type: 'filter'; where: Where } | { type: 'org-datasets'; id: string };

/** Counts per kind; dataservices, when left out, follow production's ratio to datasets (1 235 for 75 000, reference §7). */
export type CatalogCounts = Omit<Record<Kind, number>, 'dataservices'> & { dataservices?: number };

type Generator = (ctx: GenContext, index: number, mode?: 'full' | 'rows') => JsonObject;
const GENERATORS: Record<Kind, Generator> = {
  datasets: generateDataset,
  organizations: generateOrganization,
  reuses: generateReuse,
  users: generateUser,
  dataservices: generateDataservice,
};

export class CatalogStore {
  readonly ctx: GenContext;
  protected readonly clock: CatalogClock;
  protected readonly entries: Record<Kind, Entry[]> = { datasets: [], organizations: [], reuses: [], users: [], dataservices: [] };
  private readonly byKey: Record<Kind, Map<string, Entry>> = {
    datasets: new Map(),
    organizations: new Map(),
    reuses: new Map(),
    users: new Map(),
    dataservices: new Map(),
  };
  private readonly orderCache = new Map<string, Entry[]>();
  private orderVersion = -1;
  /** Kinds whose generated rows hold metric keys of an older metrics epoch. */
  protected readonly metricStale = new Set<Kind>();
  /** Bumped by every mutation; invalidates cached orderings. */
  protected version = 0;

  constructor(seed: number, given: CatalogCounts, hidden: boolean) {
    const clockStartMs = CLOCK_BASE_MS + (hash32(seed, 'clock') % 86_400) * 1000;
    const counts = { ...given, dataservices: given.dataservices ?? Math.max(1, Math.round((given.datasets * 1_235) / 75_000)) };
    const metricsEpoch = { datasets: 0, organizations: 0, reuses: 0, users: 0, dataservices: 0 };
    this.ctx = { seed, counts, hidden, clockStartMs, metricsEpoch, crawlerEpoch: 0, tpl: loadTemplates() };
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

  /** An unmutated entity's `rows` generation: exact but for what `rows` skips (a dataset's resources are placeholders). */
  rowsObject(entry: Entry): JsonObject {
    return GENERATORS[entry.kind](this.ctx, entry.index, 'rows');
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
    return this.scopeTest(kind, scope)(entry);
  }

  /** The scope as a predicate; the served set of `servedBy` is read once per listing, not once per entry. */
  private scopeTest(kind: Kind, scope: Scope): (entry: Entry) => boolean {
    if (scope.type === 'org-datasets') return (e) => !e.purged && e.row.org === scope.id && !e.row.private;
    const w: Where = scope.type === 'filter' ? scope.where : {};
    const served = w.servedBy === undefined ? null : new Set(this.resolve('dataservices', w.servedBy)?.row.datasets);
    // udata's dataset purge pulls the dataset out of every dataservice
    const purgedDataset = w.dataset !== undefined && this.resolve('datasets', w.dataset)?.purged === true;
    return (e) => {
      const r = e.row;
      if (e.purged || purgedDataset) return false;
      if ((w.org !== undefined && r.org !== w.org) || (w.owner !== undefined && r.owner !== w.owner)) return false;
      if ((w.tag !== undefined && !r.tags.includes(w.tag)) || (w.dataset !== undefined && !r.datasets.includes(w.dataset))) return false;
      if (served && !served.has(e.id)) return false;
      if (kind === 'datasets' || kind === 'dataservices') return !r.private && !r.deleted && !r.archived;
      if (kind === 'reuses') return !r.private && !r.deleted;
      return !r.deleted;
    };
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
    const test = this.scopeTest(kind, scope);
    const keyed = this.entries[kind].filter(test).map((e) => ({ e, k: e.row.keys[field] ?? '' }));
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
