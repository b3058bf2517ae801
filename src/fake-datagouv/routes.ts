// Routes of the fake /api/1/: listings, items by id or slug with 404/410, per-organization lists (pure).
import type { FakeCatalog } from './catalog.ts';
import { obj } from './gen-common.ts';
import { listPage } from './listing.ts';
import { json, message, notFound, UNAUTHORIZED, METHOD_NOT_ALLOWED, type ApiResponse } from './responses.ts';
import type { Entry } from './store.ts';
import type { Kind } from './types.ts';

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  apiKey: string | null;
  adminKey: string;
  base: string;
  /** The item keys the answer's X-Fields mask keeps of a listing's `data`, when it names them all. */
  itemFields?: ReadonlySet<string> | undefined;
}

const GONE: Record<Kind, string> = {
  datasets: 'Dataset has been deleted',
  organizations: 'Organization has been deleted',
  reuses: 'This reuse has been deleted',
  users: 'User has been deleted',
  dataservices: 'Dataservice has been deleted',
};
const KIND = '(datasets|organizations|reuses|users|dataservices)';

/** 404 for unknown, purged or private; 410 for deleted or inactive (reference §5); else the entry. */
function visibleItem(catalog: FakeCatalog, kind: Kind, key: string, route: string): Entry | ApiResponse {
  const entry = catalog.resolve(kind, decodeURIComponent(key));
  if (!entry || entry.purged) return notFound(route);
  if ((kind === 'datasets' || kind === 'reuses' || kind === 'dataservices') && entry.row.private) return notFound(route);
  if (entry.row.deleted) return message(route, 410, GONE[kind]);
  if (entry.row.inactive) return message(route, 410, 'User is not active');
  return entry;
}

/** The stats key of a path, without answering it (used for faulted requests). */
export function routeKey(method: string, path: string): string {
  if (new RegExp(`^/api/1/${KIND}/$`).test(path)) return `${method} ${path}`;
  if (/^\/api\/1\/datasets\/[^/]+\/resources\/[^/]+\/$/.test(path)) return `${method} /api/1/datasets/{id}/resources/{rid}/`;
  const org = path.match(/^\/api\/1\/organizations\/[^/]+\/(datasets|reuses)\/$/);
  if (org) return `${method} /api/1/organizations/{id}/${org[1] ?? ''}/`;
  const item = path.match(new RegExp(`^/api/1/${KIND}/[^/]+/$`));
  if (item) return `${method} /api/1/${item[1] ?? ''}/{id}/`;
  return `${method} (unmatched)`;
}

export function handleApi(catalog: FakeCatalog, req: ApiRequest): ApiResponse {
  const { path } = req;
  const admin = req.apiKey !== null && req.apiKey === req.adminKey;
  const list = path.match(new RegExp(`^/api/1/${KIND}/$`));
  const kindOf = (s: string | undefined): Kind => s as Kind;
  let m: RegExpMatchArray | null;
  if (req.method !== 'GET') return message(routeKey(req.method, path), 405, METHOD_NOT_ALLOWED);
  if (list) {
    const kind = kindOf(list[1]);
    const route = `GET /api/1/${kind}/`;
    if (kind === 'users' && !admin) return message(route, 401, req.apiKey === null ? UNAUTHORIZED : 'Invalid API Key');
    return listPage(catalog, { kind, path, query: req.query, base: req.base, route, admin, filters: true, scope: { type: 'list' }, itemFields: req.itemFields });
  }
  if ((m = path.match(/^\/api\/1\/datasets\/([^/]+)\/resources\/([^/]+)\/$/))) {
    const route = 'GET /api/1/datasets/{id}/resources/{rid}/';
    const entry = visibleItem(catalog, 'datasets', m[1] ?? '', route);
    if ('status' in entry) return entry;
    const dataset = obj(catalog.renderEntry(entry, admin));
    const resources = Array.isArray(dataset?.['resources']) ? dataset['resources'] : [];
    const resource = resources.find((r) => obj(r)?.['id'] === m?.[2]);
    return resource === undefined ? message(route, 404, 'Resource does not exist') : json(route, 200, resource);
  }
  if ((m = path.match(/^\/api\/1\/organizations\/([^/]+)\/(datasets|reuses)\/$/))) {
    return organizationList(catalog, req, m[1] ?? '', m[2] === 'datasets' ? 'datasets' : 'reuses', admin);
  }
  if ((m = path.match(new RegExp(`^/api/1/${KIND}/([^/]+)/$`)))) {
    const kind = kindOf(m[1]);
    const route = `GET /api/1/${kind}/{id}/`;
    const entry = visibleItem(catalog, kind, m[2] ?? '', route);
    return 'status' in entry ? entry : json(route, 200, catalog.renderEntry(entry, admin));
  }
  return notFound(`GET (unmatched)`);
}

/** /organizations/{id}/datasets/ is paginated and hides only private ones; /reuses/ is a plain array. */
function organizationList(catalog: FakeCatalog, req: ApiRequest, key: string, kind: 'datasets' | 'reuses', admin: boolean): ApiResponse {
  const route = `GET /api/1/organizations/{id}/${kind}/`;
  const org = catalog.resolve('organizations', decodeURIComponent(key));
  if (!org || org.purged) return notFound(route);
  if (kind === 'datasets') {
    const scope = { type: 'org-datasets' as const, id: org.id };
    return listPage(catalog, { kind, path: req.path, query: req.query, base: req.base, route, admin, filters: false, scope, itemFields: req.itemFields });
  }
  const reuses = catalog
    .all('reuses')
    .filter((e) => !e.purged && !e.row.private && e.row.org === org.id)
    .sort((a, b) => Number(b.row.keys['created'] ?? 0) - Number(a.row.keys['created'] ?? 0) || (a.id < b.id ? 1 : -1))
    .map((e) => catalog.renderEntry(e, admin));
  return json(route, 200, reuses);
}
