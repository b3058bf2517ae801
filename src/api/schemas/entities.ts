// Zod schemas of data.gouv.fr entities at the boundary: the fields the mirror types, the rest passes through. Pure.
import { z } from 'zod';
import { DateSchema, TimestampSchema } from '../timestamps.ts';

const Id = z.string().min(1, 'is empty');
const Text = z.string().nullish();
const Tags = z.array(z.string()).nullish();
const Badges = z.array(z.looseObject({ kind: z.string() })).nullish();

/** `{class, id, ...}` as embedded in other objects; only the id matters to the mirror. */
export const ReferenceSchema = z.looseObject({ id: Id }).nullish();

export const ResourceSchema = z.looseObject({
  id: Id,
  title: Text,
  url: Text,
  format: Text,
  type: Text,
  filetype: Text,
  mime: Text,
  // bigint column: a whole number (a fraction or an absurd size rejects the record, not the page).
  filesize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
  checksum: z.looseObject({ type: Text, value: Text }).nullish(),
  created_at: TimestampSchema,
  last_modified: TimestampSchema,
});
export type Resource = z.infer<typeof ResourceSchema>;

export const DatasetSchema = z.looseObject({
  id: Id,
  title: Text,
  slug: Text,
  acronym: Text,
  organization: ReferenceSchema,
  owner: ReferenceSchema,
  license: Text,
  frequency: Text,
  tags: Tags,
  badges: Badges,
  private: z.boolean().nullish(),
  archived: TimestampSchema,
  deleted: TimestampSchema,
  created_at: TimestampSchema,
  last_modified: TimestampSchema,
  last_update: TimestampSchema,
  internal: z.looseObject({ last_modified_internal: TimestampSchema, created_at_internal: TimestampSchema }).nullish(),
  temporal_coverage: z.looseObject({ start: DateSchema, end: DateSchema }).nullish(),
  // Each resource is validated on its own so that one bad resource does not reject its dataset.
  resources: z.array(z.unknown()).nullish(),
});
export type Dataset = z.infer<typeof DatasetSchema>;

export const MemberSchema = z.looseObject({
  role: Text,
  since: TimestampSchema,
  // A member whose account is gone may come without a user: it is kept in raw, not linked.
  user: z.looseObject({ id: Id }).nullish(),
});

export const OrganizationSchema = z.looseObject({
  id: Id,
  name: Text,
  slug: Text,
  acronym: Text,
  business_number_id: Text,
  badges: Badges,
  created_at: TimestampSchema,
  last_modified: TimestampSchema,
  deleted: TimestampSchema,
  members: z.array(MemberSchema).nullish(),
});
export type Organization = z.infer<typeof OrganizationSchema>;

export const ReuseSchema = z.looseObject({
  id: Id,
  title: Text,
  slug: Text,
  type: Text,
  topic: Text,
  url: Text,
  organization: ReferenceSchema,
  owner: ReferenceSchema,
  tags: Tags,
  private: z.boolean().nullish(),
  archived: TimestampSchema,
  deleted: TimestampSchema,
  created_at: TimestampSchema,
  last_modified: TimestampSchema,
  // v1 embeds full dataset objects, v2 links; ids are all the mirror keeps.
  datasets: z.array(z.union([Id, z.looseObject({ id: Id })])).nullish(),
});
export type Reuse = z.infer<typeof ReuseSchema>;

export const UserSchema = z.looseObject({
  id: Id,
  slug: Text,
  first_name: Text,
  last_name: Text,
  since: TimestampSchema,
});
export type User = z.infer<typeof UserSchema>;

/** The catalog of APIs. `datasets` is a link to the datasets listing filtered by the dataservice,
 * with their count, not a list. */
export const DataserviceSchema = z.looseObject({
  id: Id,
  title: Text,
  slug: Text,
  organization: ReferenceSchema,
  owner: ReferenceSchema,
  base_api_url: Text,
  access_type: Text,
  tags: Tags,
  private: z.boolean().nullish(),
  archived_at: TimestampSchema,
  deleted_at: TimestampSchema,
  created_at: TimestampSchema,
  metadata_modified_at: TimestampSchema,
  datasets: z.looseObject({ total: z.number().int().min(0).nullish(), href: Text }).nullish(),
});
export type Dataservice = z.infer<typeof DataserviceSchema>;
