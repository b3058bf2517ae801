// A day in the life of data.gouv.fr, played on the fake's catalog: renamed, retagged and relicensed
// datasets, new and removed resources, a deletion, an archive, a renamed organization, a new member,
// an edited and a deleted reuse, and the daily metrics that change without counting. Pure (in memory).
import type { FakeCatalog } from './fake.ts';

export interface Mutation {
  kind: string;
  id: string;
  what: string;
}

type Obj = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Applies the scripted day to `catalog`; returns what it changed. Entities are picked by position, so the
 * same catalog gets the same day. */
export function applyScriptedDay(catalog: FakeCatalog): Mutation[] {
  const done: Mutation[] = [];
  const note = (kind: string, id: string, what: string) => done.push({ kind, id, what });
  const datasets = catalog.visible('datasets');
  const at = (i: number) => datasets[Math.floor((i * datasets.length) / 10) % datasets.length]!;
  const dataset = (id: string) => catalog.get('datasets', id) as Obj & { resources?: Obj[] };

  for (const [i, suffix] of [[0, ' — édition 2026'], [1, ' (données consolidées)']] as const) {
    const id = at(i);
    const title = `${str(dataset(id).title)}${suffix}`;
    catalog.editDataset(id, { title });
    note('dataset', id, `title → "${title}"`);
  }
  const retagged = at(2);
  catalog.editDataset(retagged, { tags: [...((dataset(retagged).tags as string[] | undefined) ?? []).slice(0, 2), 'open-data', 'mise-a-jour'] });
  note('dataset', retagged, 'tags changed');
  const relicensed = at(3);
  catalog.editDataset(relicensed, { license: 'odc-odbl' });
  note('dataset', relicensed, 'license → odc-odbl');

  const withNew = at(4);
  catalog.addResource(withNew, { title: 'Export CSV du jour', format: 'csv' });
  note('resource', withNew, 'resource added');
  const withEdited = at(5);
  const edited = dataset(withEdited).resources?.[0];
  if (edited) {
    catalog.editResource(withEdited, String(edited.id), { title: `${str(edited.title)} (corrigé)` });
    note('resource', String(edited.id), 'resource title corrected');
  }
  const withRemoved = at(6);
  const removed = dataset(withRemoved).resources?.[0];
  if (removed && (dataset(withRemoved).resources?.length ?? 0) > 1) {
    catalog.removeResource(withRemoved, String(removed.id));
    note('resource', String(removed.id), 'resource removed');
  }
  const added = catalog.addDataset({ title: 'Qualité de l’air — mesures horaires 2026' }) as Obj;
  note('dataset', String(added.id), 'dataset added');
  catalog.deleteDataset(at(7));
  note('dataset', at(7), 'dataset deleted');
  catalog.archiveDataset(at(8));
  note('dataset', at(8), 'dataset archived');

  const org = catalog.visible('organizations')[0];
  if (org) {
    const name = `${str((catalog.get('organizations', org) as Obj).name)} (nouveau nom)`;
    catalog.editOrganization(org, { name });
    note('organization', org, `name → "${name}"`);
    const user = catalog.visible('users').at(-1);
    if (user) {
      catalog.addMember(org, user, 'editor');
      note('organization', org, `member ${user} added`);
    }
  }
  const reuses = catalog.visible('reuses');
  if (reuses[0]) {
    const title = `${str((catalog.get('reuses', reuses[0]) as Obj).title)} — version 2`;
    catalog.editReuse(reuses[0], { title });
    note('reuse', reuses[0], `title → "${title}"`);
  }
  if (reuses.length > 1) {
    catalog.deleteReuse(reuses.at(-1)!);
    note('reuse', reuses.at(-1)!, 'reuse deleted');
  }
  // Volatile: stored, never counted as changes.
  catalog.bumpMetrics();
  catalog.touchCrawlerExtras();
  return done;
}
