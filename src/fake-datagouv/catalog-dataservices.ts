// Dataservice mutations, moving metadata_modified_at as udata's API does (reference §3, Dataservices) (pure, in memory).
import { DatasetMutations } from './catalog-datasets.ts';
import { obj } from './gen-common.ts';
import type { Entry } from './store.ts';
import type { Json, JsonObject } from './types.ts';

function servedRefs(entry: Entry & { obj: JsonObject }): Json[] {
  const refs = entry.obj['datasets'];
  return Array.isArray(refs) ? refs : [];
}

export class DataserviceMutations extends DatasetMutations {
  /** An API PATCH: the patch ('$now' values at the clock's next tick), and metadata_modified_at at that tick. */
  private patchDataservice(id: string, patch: JsonObject): JsonObject {
    const entry = this.own('dataservices', id);
    const t = this.clock.tick();
    for (const [k, v] of Object.entries(patch)) entry.obj[k] = v === '$now' ? t : v;
    entry.obj['metadata_modified_at'] = t;
    this.touch(entry);
    return this.out(entry);
  }

  private datasetRef(key: string): JsonObject {
    const dataset = this.resolve('datasets', key);
    if (!dataset || dataset.purged) throw new Error(`fake catalog: no datasets with id ${key}`);
    return { class: 'Dataset', id: dataset.id };
  }

  /** Changes fields (title, tags, access_type...): metadata_modified_at moves. */
  editDataservice(id: string, patch: JsonObject): JsonObject {
    return this.patchDataservice(id, patch);
  }

  /** A dataservice created now; it serves no dataset unless `partial.datasets` lists dataset ids. */
  addDataservice(partial: JsonObject = {}): JsonObject {
    const { datasets, ...rest } = partial;
    const served = (Array.isArray(datasets) ? datasets : []).map((key) => this.datasetRef(String(key)));
    const { entry, t } = this.fresh('dataservices', { archived_at: null, deleted_at: null, private: false, harvest: null, ...rest, datasets: served });
    if (!('created_at' in partial)) entry.obj['created_at'] = t;
    if (!('metadata_modified_at' in partial)) entry.obj['metadata_modified_at'] = t;
    this.touch(entry);
    return this.out(entry);
  }

  /** udata's DELETE sets deleted_at and metadata_modified_at; the item answers 410 until a purge. */
  deleteDataservice(id: string): JsonObject {
    return this.patchDataservice(id, { deleted_at: '$now' });
  }
  restoreDataservice(id: string): JsonObject {
    return this.patchDataservice(id, { deleted_at: null, archived_at: null, private: false });
  }
  /** Hidden from the listing; the item still answers 200 with archived_at set. */
  archiveDataservice(id: string): JsonObject {
    return this.patchDataservice(id, { archived_at: '$now' });
  }
  makeDataservicePrivate(id: string): JsonObject {
    return this.patchDataservice(id, { private: true });
  }
  purgeDataservice(id: string): void {
    this.purge('dataservices', id);
  }

  /** POST /dataservices/{id}/datasets/: one more served dataset; nothing moves when it is served already. */
  linkDataset(dataserviceId: string, datasetId: string): JsonObject {
    const entry = this.live(dataserviceId);
    const ref = this.datasetRef(datasetId);
    const refs = servedRefs(entry);
    if (refs.some((r) => obj(r)?.['id'] === ref['id'])) return this.out(entry);
    return this.patchDataservice(dataserviceId, { datasets: [...refs, ref] });
  }

  /** DELETE /dataservices/{id}/datasets/{did}/: one less; throws (udata's 404) when the dataset is not served. */
  unlinkDataset(dataserviceId: string, datasetId: string): JsonObject {
    const refs = servedRefs(this.live(dataserviceId));
    const id = this.resolve('datasets', datasetId)?.id ?? datasetId;
    const kept = refs.filter((r) => obj(r)?.['id'] !== id);
    if (kept.length === refs.length) throw new Error(`fake catalog: dataservice ${dataserviceId} does not serve dataset ${datasetId}`);
    return this.patchDataservice(dataserviceId, { datasets: kept });
  }

  /** udata answers 410 to dataset link changes on a deleted dataservice. */
  private live(id: string): Entry & { obj: JsonObject } {
    const entry = this.own('dataservices', id);
    if (entry.row.deleted) throw new Error(`fake catalog: dataservice ${id} is deleted`);
    return entry;
  }
}
