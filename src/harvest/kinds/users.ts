// The user kind: `since` is the creation date; users carry no modification stamp, so known users are
// refreshed in rotation (fetched_at); their listing needs an admin key. Pure.
import { UserSchema, type User } from '../../api/schemas/entities.ts';
import { users } from '../../db/schema.ts';
import { timestampOrNull } from '../../api/timestamps.ts';
import { defineKind } from './kind.ts';

export const userKind = defineKind<User, typeof users>({
  entityType: 'user',
  table: users,
  schema: UserSchema,
  rawAsReceived: true, // raw is its record
  touchColumns: ['fetchedAt'],
  adminOnlyKeys: ['email'],
  tombstonesUnknown: true,
  listing: {
    name: 'users',
    path: '/api/1/users/',
    sort: 'created',
    manifestFields: 'data{id,metrics},total,page,page_size,next_page',
    stampColumns: [],
    stamps: () => ({}),
    needsAdminKey: true,
    referenced: true,
  },
  normalize(record) {
    return {
      id: record.id,
      raw: record,
      columns: {
        slug: record.slug,
        firstName: record.first_name,
        lastName: record.last_name,
        createdAt: timestampOrNull(record.since),
      },
    };
  },
});
