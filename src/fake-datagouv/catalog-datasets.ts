// Dataset and resource mutations, moving stamps the way udata does (reference §3) (pure, in memory).
import { obj } from './gen-common.ts';
import { computeLastModified, computeLastUpdate } from './gen-dataset.ts';
import { generateResource, resourceLastModified } from './gen-resource.ts';
import { objectId, rngFor } from './prng.ts';
import { Renderer } from './render.ts';
import { rowOf } from './rows.ts';
import { CatalogStore, type Entry } from './store.ts';
import { slugify } from './words.ts';
import type { Json, JsonObject, Kind } from './types.ts';

export class DatasetMutations extends CatalogStore {
  protected baseUrl = 'http://127.0.0.1';
  protected readonly renderer = new Renderer(this, () => this.baseUrl);

  protected out(entry: Entry): JsonObject {
    return this.renderer.render(entry, { admin: true }) as JsonObject;
  }

  /** A fresh entity of a kind: generated from the next index, then stamped as created now. */
  protected fresh(kind: Kind, partial: JsonObject): { entry: Entry & { obj: JsonObject }; t: string } {
    const index = this.entries[kind].length;
    const t = this.clock.tick();
    const o = this.generate(kind, index);
    o['id'] = objectId(this.clock.nowMs(), rngFor(this.ctx.seed, 'added', kind, index));
    const title = partial['title'] ?? partial['name'];
    if (typeof title === 'string') o['slug'] = `${slugify(title)}-${index + 1}`;
    Object.assign(o, partial);
    const entry = { kind, index, id: String(o['id']), row: rowOf(kind, o), obj: o };
    this.insert(kind, entry);
    return { entry, t };
  }

  /** The dataset's own stamps after any change to it or its resources. */
  protected stampDataset(entry: Entry & { obj: JsonObject }, t: string): JsonObject {
    const o = entry.obj;
    o['internal'] = { ...(obj(o['internal']) ?? {}), last_modified_internal: t };
    o['last_modified'] = computeLastModified(o);
    o['last_update'] = computeLastUpdate(o);
    this.touch(entry);
    return this.out(entry);
  }

  editDataset(id: string, patch: JsonObject): JsonObject {
    const entry = this.own('datasets', id);
    Object.assign(entry.obj, patch);
    return this.stampDataset(entry, this.clock.tick());
  }

  addDataset(partial: JsonObject = {}): JsonObject {
    const { entry, t } = this.fresh('datasets', { harvest: null, archived: null, deleted: null, private: false, ...partial });
    const o = entry.obj;
    o['internal'] = { created_at_internal: t, last_modified_internal: t };
    if (!('created_at' in partial)) o['created_at'] = t;
    if (!('resources' in partial)) o['resources'] = (Array.isArray(o['resources']) ? o['resources'] : []).slice(0, 3).map((r) => freshResource(r, t));
    return this.stampDataset(entry, t);
  }

  private setField(id: string, field: string, value: Json): JsonObject {
    const entry = this.own('datasets', id);
    const t = this.clock.tick();
    entry.obj[field] = value === '$now' ? t : value;
    return this.stampDataset(entry, t);
  }

  deleteDataset(id: string): JsonObject {
    return this.setField(id, 'deleted', '$now');
  }
  archiveDataset(id: string): JsonObject {
    return this.setField(id, 'archived', '$now');
  }
  makeDatasetPrivate(id: string): JsonObject {
    return this.setField(id, 'private', true);
  }
  restoreDataset(id: string): JsonObject {
    const entry = this.own('datasets', id);
    Object.assign(entry.obj, { deleted: null, archived: null, private: false });
    return this.stampDataset(entry, this.clock.tick());
  }
  purgeDataset(id: string): void {
    this.purge('datasets', id);
  }

  protected purge(kind: Kind, id: string): void {
    const entry = this.resolve(kind, id);
    if (!entry) throw new Error(`fake catalog: no ${kind} with id ${id}`);
    entry.purged = true;
    this.version += 1;
  }

  private resources(entry: Entry & { obj: JsonObject }): Json[] {
    const list = Array.isArray(entry.obj['resources']) ? entry.obj['resources'] : [];
    entry.obj['resources'] = list;
    return list;
  }

  addResource(datasetId: string, partial: JsonObject = {}): JsonObject {
    const entry = this.own('datasets', datasetId);
    const t = this.clock.tick();
    const parent = { index: entry.index, slug: String(entry.obj['slug']), createdMs: this.clock.nowMs(), lastModifiedMs: this.clock.nowMs(), harvested: false };
    const r = freshResource(generateResource(this.ctx, parent, 1_000_000 + this.version), t);
    Object.assign(r, partial);
    if (!('last_modified' in partial)) r['last_modified'] = resourceLastModified(r);
    this.resources(entry).unshift(r); // udata inserts new resources first
    this.stampDataset(entry, t);
    return this.renderer.resource(r) as JsonObject;
  }

  editResource(datasetId: string, resourceId: string, patch: JsonObject): JsonObject {
    const entry = this.own('datasets', datasetId);
    const r = this.resources(entry).map(obj).find((x) => x?.['id'] === resourceId);
    if (!r) throw new Error(`fake catalog: dataset ${datasetId} has no resource ${resourceId}`);
    const t = this.clock.tick();
    Object.assign(r, patch);
    r['internal'] = { ...(obj(r['internal']) ?? {}), last_modified_internal: t };
    if (!('last_modified' in patch)) r['last_modified'] = resourceLastModified(r);
    this.stampDataset(entry, t);
    return this.renderer.resource(r) as JsonObject;
  }

  removeResource(datasetId: string, resourceId: string): JsonObject {
    const entry = this.own('datasets', datasetId);
    const list = this.resources(entry);
    const at = list.findIndex((x) => obj(x)?.['id'] === resourceId);
    if (at < 0) throw new Error(`fake catalog: dataset ${datasetId} has no resource ${resourceId}`);
    list.splice(at, 1);
    return this.stampDataset(entry, this.clock.tick());
  }
}

/** A resource created now: local file, no harvest, stamps at `t`. */
function freshResource(r: Json, t: string): JsonObject {
  const o: JsonObject = { ...(obj(r) ?? {}) };
  o['created_at'] = t;
  o['harvest'] = null;
  o['internal'] = { created_at_internal: t, last_modified_internal: t };
  o['filetype'] = 'file';
  o['last_modified'] = resourceLastModified(o);
  return o;
}
