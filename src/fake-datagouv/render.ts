// Renders stored entities as the API returns them: references from current data, uri/page links (pure).
import { obj } from './gen-common.ts';
import type { CatalogStore, Entry } from './store.ts';
import type { Json, JsonObject, Kind } from './types.ts';

const SEGMENT: Record<Kind, string> = { datasets: 'datasets', organizations: 'organizations', reuses: 'reuses', users: 'users', dataservices: 'dataservices' };

export interface Viewer {
  /** Admin callers (valid X-API-KEY) see user emails and login dates. */
  admin: boolean;
}

/**
 * Top-level keys the renderer passes through as stored and a `rows` generation gives exactly (datasets: all but
 * `resources`): a listing whose X-Fields keep only these of each item answers an unmutated entity from its `rows`
 * generation, unrendered, and the mask picks the same values a full render would give. It is the manifest pass's
 * case (`data{id,last_update,internal{...},metrics}`): a page of 1,000 datasets no longer builds 1,000 datasets with
 * their resources, organization and owner references only to drop them.
 */
export const PASSED_THROUGH: Record<Kind, ReadonlySet<string>> = {
  datasets: new Set(['id', 'slug', 'title', 'created_at', 'last_modified', 'last_update', 'internal', 'metrics', 'private', 'deleted', 'archived', 'harvest', 'tags']),
  organizations: new Set(['id', 'slug', 'name', 'created_at', 'last_modified', 'metrics', 'deleted']),
  reuses: new Set(['id', 'slug', 'title', 'created_at', 'last_modified', 'metrics', 'private', 'deleted']),
  users: new Set(['id', 'slug', 'first_name', 'last_name', 'since', 'metrics']),
  dataservices: new Set(['id', 'slug', 'title', 'created_at', 'metadata_modified_at', 'metrics', 'private', 'deleted_at', 'archived_at']),
};

export class Renderer {
  constructor(
    private readonly store: CatalogStore,
    private readonly base: () => string,
  ) {}

  private links(kind: Kind, slug: Json | undefined): { page: string; uri: string } {
    const s = typeof slug === 'string' ? slug : '';
    return { page: `${this.base()}/${SEGMENT[kind]}/${s}`, uri: `${this.base()}/api/1/${SEGMENT[kind]}/${s}/` };
  }

  /** Rendered object of any kind; planted raw objects are served exactly as planted. */
  render(entry: Entry, viewer: Viewer = { admin: false }): Json {
    const o = this.store.stored(entry);
    if (entry.raw) return o;
    switch (entry.kind) {
      case 'datasets':
        return this.dataset(o);
      case 'organizations':
        return this.organization(o);
      case 'reuses':
        return this.reuse(o);
      case 'users':
        return this.user(o, viewer);
      case 'dataservices':
        return this.dataservice(o);
    }
  }

  /** As `render`, for a caller that keeps only the item keys `fields` (an X-Fields mask without `*`) of the answer. */
  renderFields(entry: Entry, viewer: Viewer, fields: ReadonlySet<string> | undefined): Json {
    const passed = PASSED_THROUGH[entry.kind];
    if (fields && !entry.obj && !entry.raw && [...fields].every((key) => passed.has(key))) return this.store.rowsObject(entry);
    return this.render(entry, viewer);
  }

  dataset(o: JsonObject): JsonObject {
    const resources = Array.isArray(o['resources']) ? o['resources'] : [];
    return {
      ...o,
      organization: this.orgRef(o['organization']),
      owner: this.userRef(o['owner']),
      ...this.links('datasets', o['slug']),
      resources: resources.map((r) => this.resource(r)),
    };
  }

  resource(r: Json): Json {
    const o = obj(r);
    return o ? { ...o, latest: `${this.base()}/api/1/datasets/r/${String(o['id'])}` } : r;
  }

  organization(o: JsonObject): JsonObject {
    const members = Array.isArray(o['members']) ? o['members'] : [];
    return { ...o, members: members.map((m) => this.member(m)), ...this.links('organizations', o['slug']) };
  }

  private member(m: Json): Json {
    const o = obj(m);
    const stored = obj(o?.['user']);
    if (!o || !stored) return m;
    const ref = obj(this.userRef(stored)) ?? stored;
    const user: JsonObject = {
      avatar: ref['avatar'] ?? null,
      avatar_thumbnail: ref['avatar_thumbnail'] ?? null,
      class: 'User',
      email: stored['email'] ?? null,
      first_name: ref['first_name'] ?? null,
      id: ref['id'] ?? null,
      last_login_at: stored['last_login_at'] ?? null,
      last_name: ref['last_name'] ?? null,
      page: ref['page'] ?? null,
      slug: ref['slug'] ?? null,
      uri: ref['uri'] ?? null,
    };
    return { ...o, user };
  }

  /** Reuses embed the full objects of their datasets, except private, deleted or purged ones. */
  reuse(o: JsonObject): JsonObject {
    const refs = Array.isArray(o['datasets']) ? o['datasets'] : [];
    const datasets: Json[] = [];
    for (const ref of refs) {
      const id = obj(ref)?.['id'];
      const entry = typeof id === 'string' ? this.store.resolve('datasets', id) : undefined;
      if (!entry || entry.purged || entry.row.private || entry.row.deleted) continue;
      datasets.push(this.render(entry));
    }
    return {
      ...o,
      datasets,
      organization: this.orgRef(o['organization']),
      owner: this.userRef(o['owner']),
      ...this.links('reuses', o['slug']),
    };
  }

  /**
   * `datasets` is a link to the datasets listing, its total udata's `len(datasets)`: every served dataset, hidden ones too,
   * except purged ones (the purge pulls them out). Self links replace uri/page.
   */
  dataservice(o: JsonObject): JsonObject {
    const refs = Array.isArray(o['datasets']) ? o['datasets'] : [];
    const total = refs.filter((ref) => {
      const id = obj(ref)?.['id'];
      return typeof id !== 'string' || this.store.resolve('datasets', id)?.purged !== true;
    }).length;
    const points = Array.isArray(o['contact_points']) ? o['contact_points'] : [];
    const { page, uri } = this.links('dataservices', o['slug']);
    return {
      ...o,
      contact_points: points.map((p) => {
        const cp = obj(p);
        return cp ? { ...cp, organization: this.orgRef(cp['organization']), owner: this.userRef(cp['owner']) } : p;
      }),
      datasets: { href: `${this.base()}/api/1/datasets/?dataservice=${String(o['id'])}`, rel: 'subsection', total, type: 'GET' },
      organization: this.orgRef(o['organization']),
      owner: this.userRef(o['owner']),
      self_api_url: uri,
      self_web_url: page,
    };
  }

  user(o: JsonObject, viewer: Viewer): JsonObject {
    const out: JsonObject = { ...o, ...this.links('users', o['slug']) };
    if (!viewer.admin) Object.assign(out, { email: null, last_login_at: null });
    return out;
  }

  /** OrganizationReference from the organization's current data (renames show up everywhere). */
  orgRef(ref: Json | undefined): Json {
    const id = obj(ref)?.['id'];
    const entry = typeof id === 'string' ? this.store.resolve('organizations', id) : undefined;
    if (!entry) return ref ?? null;
    const o = this.store.stored(entry);
    return {
      acronym: o['acronym'] ?? null,
      badges: o['badges'] ?? [],
      class: 'Organization',
      id: entry.id,
      logo: o['logo'] ?? null,
      logo_thumbnail: o['logo_thumbnail'] ?? null,
      name: o['name'] ?? null,
      ...this.links('organizations', o['slug']),
      permissions: o['permissions'] ?? { delete: false, edit: false, harvest: false, members: false, private: false },
      slug: o['slug'] ?? null,
    };
  }

  /** UserReference from the user's current data. */
  userRef(ref: Json | undefined): Json {
    const id = obj(ref)?.['id'];
    const entry = typeof id === 'string' ? this.store.resolve('users', id) : undefined;
    if (!entry) return ref ?? null;
    const o = this.store.stored(entry);
    return {
      avatar: o['avatar'] ?? null,
      avatar_thumbnail: o['avatar_thumbnail'] ?? null,
      class: 'User',
      first_name: o['first_name'] ?? null,
      id: entry.id,
      last_name: o['last_name'] ?? null,
      ...this.links('users', o['slug']),
      slug: o['slug'] ?? null,
    };
  }
}
