// The registry of kinds, by entity type and by listing name, in the order a sync walks them. Adding
// a kind means adding its description here (and its table, and its generator in the fake). Pure.
import { hashRecordsAs } from '../../api/record-spans.ts';
import { RAW_HASH_VERSION } from '../fingerprint.ts';
import { dataserviceKind } from './dataservices.ts';
import { datasetKind } from './datasets.ts';
import type { EntityKind, EntityType, ListedKind, ListingSpec } from './kind.ts';
import { organizationKind } from './organizations.ts';
import { resourceKind } from './resources.ts';
import { reuseKind } from './reuses.ts';
import { userKind } from './users.ts';

export const KINDS_BY_TYPE: Record<EntityType, EntityKind> = {
  organization: organizationKind as EntityKind,
  dataset: datasetKind as EntityKind,
  resource: resourceKind as EntityKind,
  reuse: reuseKind as EntityKind,
  dataservice: dataserviceKind as EntityKind,
  user: userKind as EntityKind,
};

// Bodies are read with the records' hashes taken of their bytes, the kinds' children cut out of their
// parents' (see fingerprint.ts, recordHash): its own prefix, never equal to a serialization's hash.
hashRecordsAs({
  prefix: `${RAW_HASH_VERSION}b`,
  childFields: [...new Set(Object.values(KINDS_BY_TYPE).flatMap((kind) => kind.children.map((child) => child.field)))],
});

export interface Listing extends ListingSpec {
  kind: EntityKind;
}

/** The listings a sync walks, in the order it walks them (referenced kinds, users, last). */
export const LISTINGS = Object.fromEntries(
  Object.values(KINDS_BY_TYPE)
    .filter((kind) => kind.listing)
    .sort((a, b) => Number(Boolean(a.listing!.referenced)) - Number(Boolean(b.listing!.referenced)))
    .map((kind) => [kind.listing!.name, { ...kind.listing!, kind }]),
) as Record<ListedKind, Listing>;

export const LISTED_KINDS = Object.keys(LISTINGS) as ListedKind[];

/** The listings walked before the users pass: they reference users. */
export const PRIMARY_KINDS = LISTED_KINDS.filter((name) => !LISTINGS[name].referenced);

/** The listing of the kind the others reference (users): planned after them, from their references. */
export const REFERENCED_LISTING: Listing = Object.values(LISTINGS).find((l) => l.referenced)!;

/** The listing whose entities scope a re-harvest (organizations), and those filtered by that scope. */
export const SCOPE_LISTING: Listing = Object.values(LISTINGS).find((l) => l.isScope)!;
export const SCOPED_LISTINGS: ListedKind[] = LISTED_KINDS.filter((name) => LISTINGS[name].organizationParam);

/** Where the mirror's live entities reference users: typed columns and link tables. */
export function userReferences(): Array<{ table: string; column: string; parent?: { table: string; column: string } }> {
  return Object.values(KINDS_BY_TYPE).flatMap((kind) => [
    ...kind.userColumns.map((column) => ({ table: kind.table, column })),
    ...kind.links
      .filter((link) => link.keyIsUser)
      .map((link) => ({ table: link.table, column: link.keyColumn, parent: { table: kind.table, column: link.parentColumn } })),
  ]);
}

export type { ChildSpec, EntityKind, EntityType, LinkSpec, ListedKind, NormalizedEntity } from './kind.ts';
