// The organization kind: typed columns, and embedded members linked in organization_members. Pure.
import { OrganizationSchema, type Organization } from '../../api/schemas/entities.ts';
import { organizations } from '../../db/schema.ts';
import { timestampOrNull } from '../../api/timestamps.ts';
import { badgeKinds, compact, defineKind } from './kind.ts';
import { stampAt } from './stamp.ts';

export const organizationKind = defineKind<Organization, typeof organizations>({
  entityType: 'organization',
  table: organizations,
  schema: OrganizationSchema,
  rawAsReceived: true, // raw is its record
  links: [
    {
      table: 'organization_members',
      parentColumn: 'organization_id',
      keyColumn: 'user_id',
      valueColumns: { role: 'text', since: 'timestamptz' },
      keyIsUser: true,
    },
  ],
  listing: {
    name: 'organizations',
    path: '/api/1/organizations/',
    sort: 'created',
    manifestFields: 'data{id,last_modified,metrics},total,page,page_size,next_page',
    stampColumns: ['lastModified'],
    stamps: (item) => ({ lastModified: stampAt(item, 'last_modified') }),
    isScope: true,
  },
  normalize(record) {
    const members = (record.members ?? []).flatMap((member) =>
      member.user ? [{ user_id: member.user.id, role: member.role ?? null, since: timestampOrNull(member.since) }] : [],
    );
    return {
      id: record.id,
      raw: record,
      links: { organization_members: members },
      userIds: compact(members.map((m) => m.user_id)),
      columns: {
        slug: record.slug,
        name: record.name,
        acronym: record.acronym,
        businessNumberId: record.business_number_id,
        badges: badgeKinds(record.badges),
        createdAt: timestampOrNull(record.created_at),
        lastModified: timestampOrNull(record.last_modified),
      },
    };
  },
});
