// Test helper: the analysts' scripted day on the fake catalog (a title edit, tags replaced, a
// resource's checksum changed, a dataset deleted, one purged, one archived, an organization renamed),
// and the next day's restore of the deleted dataset, with what each change was. Pure, on the fake's
// in-memory catalog.
import type { FakeCatalog, JsonObject } from '../../src/fake-datagouv/index.ts';

type Obj = JsonObject & { id: string };

export interface ScriptedDay {
  titled: { id: string; before: string; after: string };
  tagged: { id: string; before: string[]; after: string[] };
  checksum: { datasetId: string; resourceId: string; before: unknown; after: { type: string; value: string } };
  deleted: { id: string; resourceIds: string[] };
  purged: { id: string };
  archived: { id: string };
  renamed: { id: string; before: string; after: string };
}

const datasetOf = (catalog: FakeCatalog, id: string) => catalog.get('datasets', id) as Obj & { resources: Obj[]; tags: string[]; title: string };

/** Applies the day to datasets not linked by reuses (a linked one's deletion would touch its reuses too). */
export function scriptDay(catalog: FakeCatalog, linkedDatasetIds: Set<string>): ScriptedDay {
  const free = catalog.visible('datasets').filter((id) => !linkedDatasetIds.has(id));
  const withResources = free.filter((id) => datasetOf(catalog, id).resources.length > 0);
  const [checksummed, deleted, purged] = withResources as [string, string, string];
  const rest = free.filter((id) => ![checksummed, deleted, purged].includes(id));
  const tagged = rest.find((id) => datasetOf(catalog, id).tags.length >= 2)!;
  const [titled, archived] = rest.filter((id) => id !== tagged) as [string, string];

  const titleBefore = datasetOf(catalog, titled).title;
  catalog.editDataset(titled, { title: `${titleBefore} (révisé)` });

  const tagsBefore = [...datasetOf(catalog, tagged).tags];
  // One tag kept, one replaced, two added: a set difference with both sides non-empty.
  const tagsAfter = [...tagsBefore.slice(0, 1), 'cartographie', 'open-data-2026'];
  catalog.editDataset(tagged, { tags: tagsAfter });

  const resource = datasetOf(catalog, checksummed).resources[0]!;
  const checksumAfter = { type: 'sha256', value: 'a'.repeat(64) };
  catalog.editResource(checksummed, resource.id, { checksum: checksumAfter });

  const deletedResources = datasetOf(catalog, deleted).resources.map((r) => r.id);
  catalog.deleteDataset(deleted);
  catalog.purgeDataset(purged);
  catalog.archiveDataset(archived);

  const org = catalog.visible('organizations')[0]!;
  const nameBefore = (catalog.get('organizations', org) as Obj & { name: string }).name;
  catalog.editOrganization(org, { name: `${nameBefore} renommée` });

  return {
    titled: { id: titled, before: titleBefore, after: `${titleBefore} (révisé)` },
    tagged: { id: tagged, before: tagsBefore, after: tagsAfter },
    checksum: { datasetId: checksummed, resourceId: resource.id, before: resource['checksum'] ?? null, after: checksumAfter },
    deleted: { id: deleted, resourceIds: deletedResources },
    purged: { id: purged },
    archived: { id: archived },
    renamed: { id: org, before: nameBefore, after: `${nameBefore} renommée` },
  };
}

/** The next day: the deleted dataset comes back. */
export function scriptRestore(catalog: FakeCatalog, day: ScriptedDay): void {
  catalog.restoreDataset(day.deleted.id);
}
