// Paginated listings: query validation as udata's parsers do it, ordering, and the page envelope (pure).
import type { FakeCatalog } from './catalog.ts';
import { isObjectId } from './prng.ts';
import { invalid, message, notFound, serverError, type ApiResponse } from './responses.ts';
import { DEFAULT_SORTS, SORTS } from './rows.ts';
import type { Scope, Where } from './store.ts';
import type { Json, Kind } from './types.ts';

/** Production answers page_size=1000 but 502s on bigger pages. */
export const MAX_PAGE_SIZE = 1000;

export interface ListRequest {
  kind: Kind;
  path: string;
  query: URLSearchParams;
  base: string;
  route: string;
  admin: boolean;
  /** Which filters the endpoint reads; per-organization listings ignore them. */
  filters: boolean;
  scope: Scope;
  /** The item keys the X-Fields mask keeps, when it names them all: entities may skip rendering the rest. */
  itemFields?: ReadonlySet<string> | undefined;
}

function positive(query: URLSearchParams, name: string, fallback: number, errors: Record<string, string>): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
    errors[name] = `Invalid argument: ${raw}. argument must be a positive integer`;
    return fallback;
  }
  return Number(raw);
}

/** Validates page, page_size, sort and the ObjectId filters; returns a 400 listing every bad argument. */
function parse(catalog: FakeCatalog, req: ListRequest): { page: number; pageSize: number; sort: string; scope: Scope } | ApiResponse {
  const errors: Record<string, string> = {};
  const page = positive(req.query, 'page', 1, errors);
  const pageSize = positive(req.query, 'page_size', 20, errors);
  const sort = req.query.get('sort') ?? DEFAULT_SORTS[req.kind];
  if (!(sort.replace(/^-/, '') in SORTS[req.kind])) errors['sort'] = `The value '${sort}' is not a valid choice for 'sort'.`;
  const where: Where = {};
  if (req.filters && (req.kind === 'datasets' || req.kind === 'reuses')) {
    for (const [param, field] of [['organization', 'org'], ['owner', 'owner']] as const) {
      const value = req.query.get(param);
      if (value === null) continue;
      if (!isObjectId(value)) errors[param] = `Invalid ObjectId: '${value}'`;
      else where[field] = value;
    }
  }
  if (Object.keys(errors).length > 0) return invalid(req.route, errors);
  const aborted = req.filters ? readFilters(catalog, req, where) : null;
  if (aborted) return aborted;
  return { page, pageSize, sort, scope: Object.keys(where).length > 0 ? { type: 'filter', where } : req.scope };
}

/** Filters udata checks after the arguments, aborting with a bare message: the dataservices parser's and datasets' `dataservice`. */
function readFilters(catalog: FakeCatalog, req: ListRequest, where: Where): ApiResponse | null {
  const q = req.query;
  if (req.kind === 'dataservices') {
    for (const [param, field] of [['organization', 'org'], ['owner', 'owner'], ['dataset', 'dataset']] as const) {
      const value = q.get(param);
      if (value === null) continue;
      if (!isObjectId(value)) return message(req.route, 400, `\`${param}\` must be an identifier`);
      where[field] = value;
    }
    const tag = q.get('tag');
    if (tag !== null) where.tag = tag;
  }
  const id = req.kind === 'datasets' ? q.get('dataservice') : null;
  if (id) {
    if (!isObjectId(id)) return message(req.route, 400, 'Dataservice arg must be an identifier');
    const dataservice = catalog.resolve('dataservices', id);
    // as in udata, an unknown (or purged) dataservice drops the filter: the whole listing answers
    if (dataservice && !dataservice.purged && dataservice.id === id) where.servedBy = id;
  }
  return null;
}

function pageUrl(req: ListRequest, page: number): string {
  const params = new URLSearchParams(req.query);
  params.set('page', String(page));
  return `${req.base}${req.path}?${params.toString()}`;
}

export function listPage(catalog: FakeCatalog, req: ListRequest): ApiResponse {
  const parsed = parse(catalog, req);
  if ('status' in parsed) return parsed;
  const { page, pageSize, sort, scope } = parsed;
  if (pageSize > MAX_PAGE_SIZE) return serverError(req.route, 502);
  const ordered = catalog.ordered(req.kind, scope, sort);
  const slice = ordered.slice((page - 1) * pageSize, page * pageSize);
  if (page > 1 && slice.length === 0) return notFound(req.route);
  const data: Json[] = slice.map((e) => catalog.renderEntry(e, req.admin, req.itemFields));
  const total = ordered.length;
  const body = {
    data,
    next_page: page * pageSize < total ? pageUrl(req, page + 1) : null,
    page,
    page_size: pageSize,
    previous_page: page > 1 ? pageUrl(req, page - 1) : null,
    total,
  };
  const embeddedResources = req.kind === 'datasets' ? slice.reduce((n, e) => n + e.row.resources, 0) : 0;
  return { status: 200, body, route: req.route, embeddedResources };
}
