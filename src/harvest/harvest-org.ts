// Re-harvest of one organization: the organization and its members, then every listing the kinds
// scope by organization (datasets and their resources, reuses, dataservices), the users they
// reference; deletions swept within that organization only.
// Touches HTTP and Postgres.
import { onDatabase } from '../db/retry.ts';
import { openRun } from '../db/runs.ts';
import { itemPath } from './fetch-by-id.ts';
import { LISTINGS, REFERENCED_LISTING, SCOPE_LISTING, SCOPED_LISTINGS } from './kinds/index.ts';
import { silentProgress } from './progress.ts';
import { conductRun } from './conduct-run.ts';
import type { SyncOutcome } from './run-sync.ts';
import { storePage, storeTombstones } from './store-page.ts';
import { now, type RunScope, type SyncContext } from './sync-context.ts';
import { describeFetchFailures, fetchAndStore } from './fetch-and-store.ts';
import { syncListing } from './sync-listing.ts';

/** An ObjectId or a slug: anything else is refused before a request is made. */
const ORG_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;

export class OrganizationInputError extends Error {
  override name = 'OrganizationInputError';
}

export function assertOrganizationKey(key: string): void {
  if (!ORG_KEY.test(key)) {
    throw new OrganizationInputError(
      `"${key}" is not an organization id or slug (expected a 24-character hex id or letters, digits and dashes).`,
    );
  }
}

/** Resolves an id or slug to the organization's id, or says it does not exist. */
export async function resolveOrganization(ctx: SyncContext, key: string): Promise<{ id: string; body: unknown; status: number }> {
  assertOrganizationKey(key);
  const res = await ctx.http.getJson(itemPath(SCOPE_LISTING.path, key), { allowStatus: [404, 410] });
  const id = (res.body as { id?: unknown } | null)?.id;
  if (res.status === 404 || res.status === 410) {
    // Gone from data.gouv.fr: a re-harvest of one the mirror knows records its deletion.
    const known = await knownOrganization(ctx, key);
    if (known) return { id: known, body: res.body, status: res.status };
    throw new OrganizationInputError(
      res.status === 404
        ? `No organization "${key}" on data.gouv.fr (it answered 404).`
        : `Organization "${key}" was deleted on data.gouv.fr and is not in the mirror.`,
    );
  }
  if (typeof id !== 'string') throw new OrganizationInputError(`data.gouv.fr answered for "${key}" without an organization id.`);
  return { id, body: res.body, status: res.status };
}

async function knownOrganization(ctx: SyncContext, key: string): Promise<string | undefined> {
  const [row] = await ctx.sql<{ id: string }[]>`
    select id from organizations where id = ${key} or slug = ${key} order by (id = ${key}) desc, deleted_at nulls first limit 1`;
  return row?.id;
}

export interface HarvestOptions {
  /** The run's identity (a job chooses it before anything can fail): a retry goes on with the running
   * run of that uuid instead of opening one, and an ended one throws RunEndedError. */
  uuid?: string;
  /** The queue job running the harvest (recorded in sync_runs.job_id). */
  jobId?: string;
  /** Called once the run row exists, before any work (a job records it for its retries). */
  onRunOpened?(runId: number): Promise<unknown>;
}

export async function harvestOrganization(ctx: SyncContext, key: string, options: HarvestOptions = {}): Promise<SyncOutcome & { organizationId: string }> {
  const org = await resolveOrganization(ctx, key);
  const runId = await openRun(ctx.db, {
    mode: 'organization',
    scope: org.id,
    kinds: [SCOPE_LISTING.name, ...SCOPED_LISTINGS, REFERENCED_LISTING.name],
    uuid: options.uuid,
    jobId: options.jobId,
  });
  await options.onRunOpened?.(runId);
  try {
    const end = await conductRun(ctx, { runId, mode: 'full' }, (runCtx, run) => harvestParts(runCtx, run, org));
    ctx.logger.info({ runId, organization: org.id, counts: end.progress.counts, status: end.status, error: end.error }, 'organization harvest finished');
    return { runId, mode: 'organization', status: end.status, error: end.error, organizationId: org.id, ...end.progress };
  } finally {
    (ctx.progress ?? silentProgress).end();
  }
}

async function harvestParts(ctx: SyncContext, run: RunScope, org: { id: string; body: unknown; status: number }): Promise<string[]> {
  const observedAt = now();
  const orgKind = SCOPE_LISTING.kind;
  if (org.status === 410 || org.status === 404) {
    const reason = org.status === 410 ? 'deleted' : 'not_found';
    const gone = await onDatabase(ctx, 'storing the organization', () =>
      storeTombstones(ctx.sql, orgKind, [{ id: org.id, reason }], { runId: run.runId, observedAt }),
    );
    run.tracker.addDeletions(orgKind.entityType, gone.ids.length);
  } else {
    const stored = await onDatabase(ctx, 'storing the organization', () =>
      storePage(ctx.sql, orgKind, [org.body], { runId: run.runId, observedAt, sourceUrl: itemPath(SCOPE_LISTING.path, org.id) }),
    );
    for (const id of stored.userIds) run.userIds.add(id);
    run.tracker.addCounts(stored.counts);
  }
  const problems: string[] = [];
  for (const name of SCOPED_LISTINGS) {
    const filter = { query: { [LISTINGS[name].organizationParam!]: org.id }, scope: { organizationId: org.id } };
    problems.push(...(await syncListing(ctx, run, name, filter)));
  }
  const users = REFERENCED_LISTING;
  problems.push(...describeFetchFailures(users.name, await fetchAndStore(ctx, run, users.name, users, [...run.userIds].sort())));
  return problems;
}

