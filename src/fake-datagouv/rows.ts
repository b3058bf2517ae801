// Index rows: the few fields of each entity that listings filter and sort on (pure).
import { obj } from './gen-common.ts';
import { stampMs } from './time.ts';
import type { Json, JsonObject, Kind } from './types.ts';

export interface Row {
  slug: string;
  /** Sort keys; metric ones go stale after bumpMetrics until a metric sort refreshes them. */
  keys: Record<string, number | string>;
  org: string | null;
  owner: string | null;
  private: boolean;
  deleted: boolean;
  archived: boolean;
  inactive: boolean;
  /** Embedded resources (datasets), for the heavy-page fault. */
  resources: number;
  /** Users this entity references (owner, members, contact point owners). */
  users: string[];
  /** Dataservices: ids of the datasets served, as stored. */
  datasets: readonly string[];
  /** Dataservices: tags, for the `tag` filter. */
  tags: readonly string[];
}

type Extract = (o: JsonObject) => number | string;
const stamp = (field: string): Extract => (o) => orderable(stampMs(o[field]));
const text = (field: string): Extract => (o) => (typeof o[field] === 'string' ? o[field] : '');
const metric = (field: string): Extract => (o) => {
  const v = obj(o['metrics'])?.[field];
  return typeof v === 'number' ? v : 0;
};
/** Unparseable stamps sort before every real one instead of poisoning the comparison with NaN. */
const orderable = (ms: number): number => (Number.isNaN(ms) ? -8.64e15 : ms);

/** The `sort` choices each endpoint accepts (reference §3), and how each reads an entity. */
export const SORTS: Record<Kind, Record<string, Extract>> = {
  datasets: {
    title: text('title'),
    created: (o) => orderable(stampMs(obj(o['internal'])?.['created_at_internal'])),
    last_update: stamp('last_update'),
    reuses: metric('reuses'),
    followers: metric('followers'),
    views: metric('views'),
  },
  organizations: {
    name: text('name'),
    reuses: metric('reuses'),
    datasets: metric('datasets'),
    followers: metric('followers'),
    views: metric('views'),
    created: stamp('created_at'),
    last_modified: stamp('last_modified'),
  },
  reuses: {
    created: stamp('created_at'),
    last_modified: stamp('last_modified'),
    title: text('title'),
    datasets: metric('datasets'),
    followers: metric('followers'),
    views: metric('views'),
  },
  users: {
    created: stamp('since'),
    first_name: text('first_name'),
    last_name: text('last_name'),
    datasets: metric('datasets'),
    reuses: metric('reuses'),
    followers: metric('followers'),
  },
  dataservices: {
    created: stamp('created_at'),
    last_modified: stamp('metadata_modified_at'),
    title: text('title'),
    base_api_url: text('base_api_url'),
  },
};

/** The order of a listing without `sort`: udata's, or for dataservices (no default sort, Mongo's natural order) creation order. */
export const DEFAULT_SORTS: Record<Kind, string> = { datasets: '-created', organizations: '-created', reuses: '-created', users: '-created', dataservices: 'created' };

export const METRIC_SORTS = new Set(['reuses', 'followers', 'views', 'datasets']);

function refId(value: Json | undefined): string | null {
  const o = obj(value);
  return o && typeof o['id'] === 'string' ? o['id'] : null;
}

function memberUsers(o: JsonObject): string[] {
  const members = Array.isArray(o['members']) ? o['members'] : [];
  return members.map((m) => refId(obj(m)?.['user'])).filter((id): id is string => id !== null);
}

/** Shared by the rows of every other kind, so 150 000 rows at scale 1 allocate nothing for these fields. */
const NONE: readonly string[] = Object.freeze([]);

function listOf(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

/** Owner and contact point owners of a dataservice. */
function dataserviceUsers(o: JsonObject, owner: string | null): string[] {
  const ids = listOf(o['contact_points']).map((c) => refId(obj(c)?.['owner']));
  return [...new Set([owner, ...ids].filter((id): id is string => id !== null))];
}

/** Reads a row leniently: tests plant malformed objects with setRaw and listings must still serve them. */
export function rowOf(kind: Kind, o: JsonObject, userDeleted = false): Row {
  const keys: Record<string, number | string> = {};
  for (const [name, extract] of Object.entries(SORTS[kind])) keys[name] = extract(o);
  const owner = refId(o['owner']);
  const dataservice = kind === 'dataservices';
  return {
    slug: typeof o['slug'] === 'string' ? o['slug'] : '',
    keys,
    org: refId(o['organization']),
    owner,
    private: o['private'] === true,
    deleted: kind === 'users' ? userDeleted : Boolean(dataservice ? o['deleted_at'] : o['deleted']),
    archived: Boolean(dataservice ? o['archived_at'] : o['archived']),
    inactive: kind === 'users' && o['active'] === false,
    resources: Array.isArray(o['resources']) ? o['resources'].length : 0,
    users: kind === 'organizations' ? memberUsers(o) : dataservice ? dataserviceUsers(o, owner) : owner ? [owner] : [],
    datasets: dataservice ? listOf(o['datasets']).map(refId).filter((id): id is string => id !== null) : NONE,
    tags: dataservice ? listOf(o['tags']).filter((t): t is string => typeof t === 'string') : NONE,
  };
}
