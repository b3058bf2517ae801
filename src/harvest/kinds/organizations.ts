// The organization kind: typed columns and embedded members. Pure.
import { OrganizationSchema, type Organization } from '../../api/schemas/entities.ts';
import { timestampOrNull } from '../timestamps.ts';
import { badgeKinds, compact, type EntityKind } from './kind.ts';

export const organizationKind: EntityKind<Organization> = {
  entityType: 'organization',
  table: 'organizations',
  columns: ['slug', 'name', 'acronym', 'business_number_id', 'badges', 'created_at', 'last_modified'],
  schema: OrganizationSchema,
  normalize(record) {
    const members = (record.members ?? []).flatMap((member) =>
      member.user ? [{ userId: member.user.id, role: member.role ?? null, since: timestampOrNull(member.since) }] : [],
    );
    return {
      id: record.id,
      raw: record,
      members,
      userIds: compact(members.map((m) => m.userId)),
      columns: {
        slug: record.slug ?? null,
        name: record.name ?? null,
        acronym: record.acronym ?? null,
        business_number_id: record.business_number_id ?? null,
        badges: badgeKinds(record.badges),
        created_at: timestampOrNull(record.created_at),
        last_modified: timestampOrNull(record.last_modified),
      },
    };
  },
};
