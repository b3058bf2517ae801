// Zod schema of the data.gouv.fr pagination envelope (identical in API v1 and v2). Pure.
import { z } from 'zod';

export const EnvelopeSchema = z.object({
  /** Items stay `unknown` here: each entity kind validates its own records, one bad record must not fail a page. */
  data: z.array(z.unknown()),
  total: z.number().int().nonnegative(),
  page: z.number().int().positive(),
  page_size: z.number().int().positive(),
  next_page: z.string().nullable(),
});

export type Envelope = z.infer<typeof EnvelopeSchema>;
