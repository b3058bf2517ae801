// Job names, payload schemas and deterministic job ids of the queue. Pure.
// Job ids never contain ':' and are never bare integers (BullMQ rejects both).
import { z } from 'zod';
import { LISTED_KINDS } from '../harvest/kinds/index.ts';

export const JOB_NAMES = {
  sync: 'sync',
  pages: 'sync-pages',
  items: 'sync-items',
  collect: 'sync-collect',
  finish: 'sync-finish',
  harvestOrg: 'harvest-org',
} as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

const Kind = z.enum(LISTED_KINDS as [string, ...string[]]).transform((k) => k as (typeof LISTED_KINDS)[number]);
const Mode = z.enum(['full', 'incremental']);
const RunId = z.number().int().positive();

export const SyncJobSchema = z.object({
  mode: Mode.optional(),
  kinds: z.array(Kind).optional(),
  trigger: z.enum(['cli', 'schedule', 'api']).default('cli'),
});

export const PagesJobSchema = z.object({
  runId: RunId,
  kind: Kind,
  page: z.number().int().positive(),
  /** The page size the page numbers were planned with. */
  pageSize: z.number().int().positive().max(1000),
  /** The last page planned: it follows `next_page` for items created during the run. */
  last: z.boolean(),
});

export const ItemsJobSchema = z.object({ runId: RunId, kind: Kind, ids: z.array(z.string().min(1)).min(1) });

const ListingPlan = z.object({
  total: z.number().int().min(0),
  ids: z.array(z.string()),
  failedPages: z.array(z.object({ page: z.number().int(), error: z.string() })),
  pages: z.number().int().min(0),
  /** Incremental runs: the manifest walk's completeness, known when planned. */
  complete: z.boolean().optional(),
});

const Counts = z.record(z.string(), z.unknown());

export const CollectJobSchema = z.object({
  runId: RunId,
  mode: Mode,
  kinds: z.array(Kind),
  listings: z.record(z.string(), ListingPlan),
  /** What the coordinator stored itself (first pages, manifests). */
  snapshot: Counts,
});

export const FinishJobSchema = z.object({
  runId: RunId,
  mode: Mode,
  problems: z.array(z.string()),
  snapshot: Counts,
  /** Users refreshed by rotation: marked fetched when the run ends. */
  rotation: z.array(z.string()),
});

export const HarvestOrgJobSchema = z.object({ organization: z.string().min(1), runId: RunId.optional() });

export type SyncJobData = z.input<typeof SyncJobSchema>;
export type PagesJobData = z.infer<typeof PagesJobSchema>;
export type ItemsJobData = z.infer<typeof ItemsJobSchema>;
export type CollectJobData = z.infer<typeof CollectJobSchema>;
export type FinishJobData = z.infer<typeof FinishJobSchema>;
export type HarvestOrgJobData = z.infer<typeof HarvestOrgJobSchema>;

export const jobIds = {
  pages: (runId: number, kind: string, page: number) => `run-${runId}-${kind}-page-${page}`,
  items: (runId: number, stage: string, kind: string, index: number) => `run-${runId}-${stage}-${kind}-items-${index}`,
  collect: (runId: number) => `run-${runId}-collect`,
  finish: (runId: number) => `run-${runId}-finish`,
  /** Deduplication key: one re-harvest of an organization queued or running at a time. */
  harvestOrg: (organizationId: string) => `harvest-org-${organizationId}`,
};

/** Items fetched by id per job: small, so a killed worker redoes little. */
export const ITEMS_PER_JOB = 25;

export function chunk<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
