// The fake's catalog: organization/reuse/user mutations, volatile changes, raw plants and test read helpers (pure, in memory).
import { DataserviceMutations } from './catalog-dataservices.ts';
import { bumpNumbers, obj } from './gen-common.ts';
import { heartbeatExtras } from './gen-resource.ts';
import { rngFor } from './prng.ts';
import { DEFAULT_SORTS, rowOf } from './rows.ts';
import type { Entry } from './store.ts';
import { ROLE_LABELS } from './words.ts';
import { KINDS, type Json, type JsonObject, type Kind } from './types.ts';

export class FakeCatalog extends DataserviceMutations {
  /** Sets the base of uri/page/latest links (the server's public URL). */
  setBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  private bump(kind: Kind, id: string, patch: JsonObject, stampField: string | null): JsonObject {
    const entry = this.own(kind, id);
    const t = this.clock.tick();
    for (const [k, v] of Object.entries(patch)) entry.obj[k] = v === '$now' ? t : v;
    if (stampField) entry.obj[stampField] = t;
    this.touch(entry);
    return this.out(entry);
  }

  private add(kind: Kind, partial: JsonObject, created: string, stampField: string | null): JsonObject {
    const { entry, t } = this.fresh(kind, { deleted: null, ...partial });
    if (!(created in partial)) entry.obj[created] = t;
    if (stampField && !(stampField in partial)) entry.obj[stampField] = t;
    this.touch(entry);
    return this.out(entry);
  }

  editOrganization(id: string, patch: JsonObject): JsonObject {
    return this.bump('organizations', id, patch, 'last_modified');
  }
  addOrganization(partial: JsonObject = {}): JsonObject {
    return this.add('organizations', { members: [], ...partial }, 'created_at', 'last_modified');
  }
  deleteOrganization(id: string): JsonObject {
    return this.bump('organizations', id, { deleted: '$now' }, 'last_modified');
  }
  purgeOrganization(id: string): void {
    this.purge('organizations', id);
  }
  addMember(orgId: string, userId: string, role: 'admin' | 'editor' | 'partial_editor' = 'editor'): JsonObject {
    const members = this.membersOf(orgId).filter((m) => obj(obj(m)?.['user'])?.['id'] !== userId);
    const member = { label: ROLE_LABELS[role] ?? role, role, since: '$now', user: { class: 'User', email: '***@example.fr', id: userId, last_login_at: null } };
    const entry = this.own('organizations', orgId);
    const t = this.clock.tick();
    entry.obj['members'] = [...members, { ...member, since: t }];
    entry.obj['last_modified'] = t;
    this.touch(entry);
    return this.out(entry);
  }
  removeMember(orgId: string, userId: string): JsonObject {
    const members = this.membersOf(orgId).filter((m) => obj(obj(m)?.['user'])?.['id'] !== userId);
    return this.bump('organizations', orgId, { members }, 'last_modified');
  }
  private membersOf(orgId: string): Json[] {
    const members = this.own('organizations', orgId).obj['members'];
    return Array.isArray(members) ? members : [];
  }

  editReuse(id: string, patch: JsonObject): JsonObject {
    return this.bump('reuses', id, patch, 'last_modified');
  }
  addReuse(partial: JsonObject = {}): JsonObject {
    return this.add('reuses', { archived: null, private: false, ...partial }, 'created_at', 'last_modified');
  }
  deleteReuse(id: string): JsonObject {
    return this.bump('reuses', id, { deleted: '$now' }, 'last_modified');
  }
  purgeReuse(id: string): void {
    this.purge('reuses', id);
  }
  makeReusePrivate(id: string): JsonObject {
    return this.bump('reuses', id, { private: true }, 'last_modified');
  }
  archiveReuse(id: string): JsonObject {
    return this.bump('reuses', id, { archived: '$now' }, 'last_modified');
  }

  /** Users have no modification stamp: the clock still advances so later stamps stay strictly increasing. */
  editUser(id: string, patch: JsonObject): JsonObject {
    return this.bump('users', id, patch, null);
  }
  addUser(partial: JsonObject = {}): JsonObject {
    const { entry, t } = this.fresh('users', partial);
    if (!('since' in partial)) entry.obj['since'] = t;
    this.touch(entry);
    return this.out(entry);
  }
  deleteUser(id: string): JsonObject {
    const entry = this.own('users', id);
    this.clock.tick();
    entry.userDeleted = true;
    this.touch(entry);
    return this.out(entry);
  }
  purgeUser(id: string): void {
    this.purge('users', id);
  }

  /** Changes every metrics value (views, followers...) of every entity, moving no stamp. */
  bumpMetrics(kind?: Kind): void {
    for (const k of kind ? [kind] : KINDS) {
      this.ctx.metricsEpoch[k] += 1;
      this.metricStale.add(k);
      const rng = rngFor(this.ctx.seed, 'bump', k, this.ctx.metricsEpoch[k]);
      const delta = (): number => rng.int(1, 9);
      for (const entry of this.entries[k]) {
        if (!entry.obj || entry.raw) continue;
        entry.obj['metrics'] = bumpNumbers(entry.obj['metrics'] ?? {}, delta);
        if (k === 'datasets') for (const r of resourcesOf(entry.obj)) r['metrics'] = bumpNumbers(r['metrics'] ?? {}, delta);
        entry.row = rowOf(k, entry.obj, entry.userDeleted);
      }
    }
    this.version += 1;
  }

  /** Changes Hydra's check:* heartbeat extras of every resource, moving no stamp. */
  touchCrawlerExtras(): void {
    this.ctx.crawlerEpoch += 1;
    for (const entry of this.entries.datasets) {
      if (!entry.obj || entry.raw) continue;
      for (const r of resourcesOf(entry.obj)) {
        r['extras'] = heartbeatExtras(this.ctx, obj(r['extras']) ?? {}, String(r['id']), this.ctx.crawlerEpoch);
      }
    }
    this.version += 1;
  }

  /** Replaces (or creates) a stored object wholesale; listings and items serve it exactly as given. */
  setRaw(kind: Kind, id: string, o: JsonObject): JsonObject {
    const existing = this.resolve(kind, id);
    if (existing) {
      Object.assign(existing, { obj: o, raw: true, purged: false });
      this.touch(existing);
    } else {
      this.insert(kind, { kind, index: this.entries[kind].length, id, row: rowOf(kind, o), obj: o, raw: true });
      this.version += 1;
    }
    return o;
  }

  /** Every stored (not purged) entity as the item endpoint renders it, hidden ones included. */
  list(kind: Kind): Json[] {
    return this.entries[kind].filter((e) => !e.purged).map((e) => this.out(e));
  }
  get(kind: Kind, id: string): Json | undefined {
    const entry = this.resolve(kind, id);
    return entry && !entry.purged ? this.out(entry) : undefined;
  }
  /** Ids the anonymous listing returns (users: the admin listing), in its default order. */
  visible(kind: Kind): string[] {
    return this.ordered(kind, { type: 'list' }, DEFAULT_SORTS[kind]).map((e) => e.id);
  }
  /**
   * Users referenced by the visible entities of `kinds` (owners, members, contact point owners): what a harvester of
   * those kinds can discover. Dataservices are left out unless asked for.
   */
  referencedUserIds(kinds: readonly Kind[] = ['datasets', 'reuses', 'organizations']): string[] {
    const ids = new Set<string>();
    for (const kind of kinds) {
      for (const e of this.ordered(kind, { type: 'list' }, DEFAULT_SORTS[kind])) for (const u of e.row.users) ids.add(u);
    }
    return [...ids].sort();
  }
  /** Renders any entry (server use). */
  /** `fields`: the item keys an X-Fields mask keeps, when it names them all (no `*`). */
  renderEntry(entry: Entry, admin: boolean, fields?: ReadonlySet<string>): Json {
    return this.renderer.renderFields(entry, { admin }, fields);
  }
}

function resourcesOf(o: JsonObject): JsonObject[] {
  const list = Array.isArray(o['resources']) ? o['resources'] : [];
  return list.map(obj).filter((r): r is JsonObject => r !== null);
}
