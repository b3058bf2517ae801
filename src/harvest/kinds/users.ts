// The user kind: `since` is the creation date; users carry no modification stamp. Pure.
import { UserSchema, type User } from '../../api/schemas/entities.ts';
import { timestampOrNull } from '../timestamps.ts';
import type { EntityKind } from './kind.ts';

export const userKind: EntityKind<User> = {
  entityType: 'user',
  table: 'users',
  columns: ['slug', 'first_name', 'last_name', 'created_at'],
  schema: UserSchema,
  normalize(record) {
    return {
      id: record.id,
      raw: record,
      columns: {
        slug: record.slug ?? null,
        first_name: record.first_name ?? null,
        last_name: record.last_name ?? null,
        created_at: timestampOrNull(record.since),
      },
    };
  },
};
