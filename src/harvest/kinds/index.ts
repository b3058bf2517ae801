// The registry of kinds, by listing name and by entity type. Pure.
import { datasetKind } from './datasets.ts';
import type { EntityKind, EntityType, ListedKind } from './kind.ts';
import { organizationKind } from './organizations.ts';
import { resourceKind } from './resources.ts';
import { reuseKind } from './reuses.ts';
import { userKind } from './users.ts';

export const KINDS_BY_TYPE: Record<EntityType, EntityKind> = {
  organization: organizationKind as EntityKind,
  dataset: datasetKind as EntityKind,
  resource: resourceKind as EntityKind,
  reuse: reuseKind as EntityKind,
  user: userKind as EntityKind,
};

/** The listings a sync walks, in the order it walks them, with the kind each yields. */
export const LISTINGS: Record<ListedKind, { path: string; sort: string; kind: EntityKind }> = {
  organizations: { path: '/api/1/organizations/', sort: 'created', kind: organizationKind as EntityKind },
  datasets: { path: '/api/1/datasets/', sort: 'created', kind: datasetKind as EntityKind },
  reuses: { path: '/api/1/reuses/', sort: 'created', kind: reuseKind as EntityKind },
  users: { path: '/api/1/users/', sort: 'created', kind: userKind as EntityKind },
};

export const LISTED_KINDS = Object.keys(LISTINGS) as ListedKind[];

export type { EntityKind, EntityType, ListedKind, NormalizedEntity } from './kind.ts';
