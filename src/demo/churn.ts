// Random changes to the fake's catalog, one at a time, for a try-out that keeps moving (`fake-api
// --churn`). Pure (in memory) apart from the caller's timer.
import type { FakeCatalog, Rng } from './fake.ts';
import type { Mutation } from './scripted-day.ts';

type Obj = Record<string, unknown>;

const WORDS = ['révisé', 'mis à jour', 'complété', 'corrigé', 'enrichi', 'consolidé'];

/** One random change: mostly edits, sometimes an addition or a deletion. */
export function applyRandomChange(catalog: FakeCatalog, rng: Rng): Mutation {
  const roll = rng.next();
  const datasets = catalog.visible('datasets');
  if (roll < 0.1 || datasets.length < 3) {
    const added = catalog.addDataset({ title: `Jeu de données ${rng.hex(6)}` }) as Obj;
    return { kind: 'dataset', id: String(added.id), what: 'dataset added' };
  }
  const id = rng.pick(datasets);
  if (roll < 0.15) {
    catalog.deleteDataset(id);
    return { kind: 'dataset', id, what: 'dataset deleted' };
  }
  if (roll < 0.3) {
    catalog.addResource(id, { title: `Fichier ${rng.hex(4)}`, format: rng.pick(['csv', 'json', 'xlsx']) });
    return { kind: 'resource', id, what: 'resource added' };
  }
  if (roll < 0.4) {
    const orgs = catalog.visible('organizations');
    const org = rng.pick(orgs);
    const name = `${String((catalog.get('organizations', org) as Obj).name).replace(/ \(.*\)$/, '')} (${rng.pick(WORDS)})`;
    catalog.editOrganization(org, { name });
    return { kind: 'organization', id: org, what: `name → "${name}"` };
  }
  const title = `${String((catalog.get('datasets', id) as Obj).title).replace(/ \(.*\)$/, '')} (${rng.pick(WORDS)})`;
  catalog.editDataset(id, { title });
  return { kind: 'dataset', id, what: `title → "${title}"` };
}
