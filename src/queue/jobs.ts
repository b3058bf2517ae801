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
  closeRun: 'close-run',
} as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

const Kind = z.enum(LISTED_KINDS as [string, ...string[]]).transform((k) => k as (typeof LISTED_KINDS)[number]);
const Mode = z.enum(['full', 'incremental']);
const RunId = z.number().int().positive();
/** The run's identity for good (sync_runs.uuid): a job only ever works for the run of that uuid. */
const RunUuid = z.uuid();

export const SyncJobSchema = z.object({
  mode: Mode.optional(),
  kinds: z.array(Kind).optional(),
  trigger: z.enum(['cli', 'schedule', 'api']).default('cli'),
  /** Chosen by the coordinator's first attempt and stored before anything can fail; its retries open
   * or resume the run of that identity only. */
  runUuid: RunUuid.optional(),
  /** Set once the run is open. */
  runId: RunId.optional(),
});

export const PagesJobSchema = z.object({
  runId: RunId,
  runUuid: RunUuid,
  kind: Kind,
  page: z.number().int().positive(),
  /** The page size the page numbers were planned with. */
  pageSize: z.number().int().positive().max(1000),
  /** The last page planned: it follows `next_page` for items created during the run. */
  last: z.boolean(),
});

export const ItemsJobSchema = z.object({ runId: RunId, runUuid: RunUuid, kind: Kind, ids: z.array(z.string().min(1)).min(1) });

/** What the coordinator learnt of a listing; the ids seen are in run_seen_ids, never in job data. */
const ListingPlan = z.object({
  total: z.number().int().min(0),
  failedPages: z.array(z.object({ page: z.number().int(), error: z.string() })),
  pages: z.number().int().min(0),
  /** Incremental runs: the manifest walk's completeness, known when planned. */
  complete: z.boolean().optional(),
  /** An incremental run that walked the full listing instead (so much had changed): its pages decide. */
  walked: z.boolean().optional(),
});

const Counts = z.record(z.string(), z.unknown());

export const CollectJobSchema = z.object({
  runId: RunId,
  runUuid: RunUuid,
  mode: Mode,
  kinds: z.array(Kind),
  listings: z.record(z.string(), ListingPlan),
  /** What the coordinator stored itself (first pages, manifests). */
  snapshot: Counts,
});

export const FinishJobSchema = z.object({
  runId: RunId,
  runUuid: RunUuid,
  mode: Mode,
  problems: z.array(z.string()),
  snapshot: Counts,
  /** Users refreshed by rotation: marked fetched when the run ends. */
  rotation: z.array(z.string()),
});

export const HarvestOrgJobSchema = z.object({
  organization: z.string().min(1),
  /** As for the sync job: stored by the first attempt, before anything can fail. */
  runUuid: RunUuid.optional(),
  runId: RunId.optional(),
});

/** Closes a run whose stage job failed for good (queued so the closing survives a database outage). */
export const CloseRunJobSchema = z.object({ runId: RunId, runUuid: RunUuid, reason: z.string().min(1) });

export type SyncJobData = z.input<typeof SyncJobSchema>;
export type PagesJobData = z.infer<typeof PagesJobSchema>;
export type ItemsJobData = z.infer<typeof ItemsJobSchema>;
export type CollectJobData = z.infer<typeof CollectJobSchema>;
export type FinishJobData = z.infer<typeof FinishJobSchema>;
export type HarvestOrgJobData = z.infer<typeof HarvestOrgJobSchema>;
export type CloseRunJobData = z.infer<typeof CloseRunJobSchema>;

/** Stage job ids carry the run's uuid: unique for good, whatever database or Redis the run lives in. */
export const jobIds = {
  pages: (runUuid: string, kind: string, page: number) => `run-${runUuid}-${kind}-page-${page}`,
  items: (runUuid: string, stage: string, kind: string, index: number) => `run-${runUuid}-${stage}-${kind}-items-${index}`,
  collect: (runUuid: string) => `run-${runUuid}-collect`,
  finish: (runUuid: string) => `run-${runUuid}-finish`,
  closeRun: (runUuid: string) => `run-${runUuid}-close`,
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
