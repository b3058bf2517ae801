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

export interface Listing {
  path: string;
  /** A stable ascending sort: items created during a walk append at the end. */
  sort: string;
  kind: EntityKind;
  /** `X-Fields` mask of the manifest pass: ids, modification stamps and metrics only. */
  manifestFields: string;
  /** JSON paths of the stamps that move when the entity changes (none for users). */
  stampPaths: string[][];
}

const ENVELOPE = 'total,page,page_size,next_page';

/** The listings a sync walks, in the order it walks them, with the kind each yields. */
export const LISTINGS: Record<ListedKind, Listing> = {
  organizations: {
    path: '/api/1/organizations/',
    sort: 'created',
    kind: organizationKind as EntityKind,
    manifestFields: `data{id,last_modified,metrics},${ENVELOPE}`,
    stampPaths: [['last_modified']],
  },
  datasets: {
    path: '/api/1/datasets/',
    sort: 'created',
    kind: datasetKind as EntityKind,
    manifestFields: `data{id,last_update,internal{last_modified_internal},metrics},${ENVELOPE}`,
    stampPaths: [['internal', 'last_modified_internal'], ['last_update']],
  },
  reuses: {
    path: '/api/1/reuses/',
    sort: 'created',
    kind: reuseKind as EntityKind,
    manifestFields: `data{id,last_modified,metrics},${ENVELOPE}`,
    stampPaths: [['last_modified']],
  },
  users: {
    path: '/api/1/users/',
    sort: 'created',
    kind: userKind as EntityKind,
    manifestFields: `data{id,metrics},${ENVELOPE}`,
    stampPaths: [],
  },
};

export const LISTED_KINDS = Object.keys(LISTINGS) as ListedKind[];

export type { EntityKind, EntityType, ListedKind, NormalizedEntity } from './kind.ts';
