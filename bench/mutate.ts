// The incremental scenario's nightly churn: a seeded 1% of visible datasets edited, given or stripped of resources, or deleted. Pure, on the fake's in-memory catalog.
import type { FakeCatalog, JsonObject } from '../src/fake-datagouv/index.ts';

export interface MutationSummary {
  datasets: number;
  edited: number;
  resourcesAdded: number;
  resourcesEdited: number;
  resourcesRemoved: number;
  deleted: number;
}

/** Deterministic xorshift, so a seed gives the same churn. */
function rng(seed: number): () => number {
  let x = (seed * 2654435761) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}

function resourceIds(catalog: FakeCatalog, id: string): string[] {
  const o = catalog.get('datasets', id) as JsonObject | undefined;
  const list = Array.isArray(o?.['resources']) ? o['resources'] : [];
  return list.flatMap((r) => (r && typeof r === 'object' && !Array.isArray(r) && typeof r['id'] === 'string' ? [r['id']] : []));
}

/** Changes `share` of the visible datasets: 45% metadata edits, 20% new resource, 15% resource edit, 15% resource removed, 5% deleted. */
export function mutateDatasets(catalog: FakeCatalog, share: number, seed: number): MutationSummary {
  const random = rng(seed);
  const visible = [...catalog.visible('datasets')];
  const n = Math.max(1, Math.round(visible.length * share));
  const summary: MutationSummary = { datasets: n, edited: 0, resourcesAdded: 0, resourcesEdited: 0, resourcesRemoved: 0, deleted: 0 };
  for (let i = 0; i < n && visible.length; i++) {
    const id = visible.splice(Math.floor(random() * visible.length), 1)[0]!;
    const roll = random();
    const resources = resourceIds(catalog, id);
    if (roll < 0.05) {
      catalog.deleteDataset(id);
      summary.deleted++;
    } else if (roll < 0.25) {
      catalog.addResource(id, { title: `bench resource ${i}` });
      summary.resourcesAdded++;
    } else if (roll < 0.4 && resources.length) {
      catalog.editResource(id, resources[0]!, { description: `edited by the bench (${i})` });
      summary.resourcesEdited++;
    } else if (roll < 0.55 && resources.length) {
      catalog.removeResource(id, resources.at(-1)!);
      summary.resourcesRemoved++;
    } else {
      catalog.editDataset(id, { title: `Edited by the bench ${i}`, description: `Nightly edit ${i}.` });
      summary.edited++;
    }
  }
  return summary;
}
