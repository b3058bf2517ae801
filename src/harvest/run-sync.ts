// One sync run, in this process: opens the ledger row, walks each kind, then users, and closes the
// row as succeeded or failed with the reason. Touches HTTP and Postgres.
import type postgres from 'postgres';
import { BannedError } from '../api/errors/index.ts';
import type { HttpClient } from '../api/http-client.ts';
import type { Db } from '../db/client.ts';
import { hasSucceededFullRun, openRun, type RunProgress } from '../db/runs.ts';
import type { Logger } from '../logger.ts';
import { LISTINGS, LISTED_KINDS, type ListedKind } from './kinds/index.ts';
import { silentProgress, type ProgressSink } from './progress.ts';
import { RunTracker } from './run-tracker.ts';
import { storePage, storeTombstones } from './store-page.ts';
import { fetchUsersById, referencedUserIds } from './users-pass.ts';
import { walkListing } from './walk-listing.ts';

export interface SyncContext {
  sql: postgres.Sql;
  db: Db;
  http: HttpClient;
  logger: Logger;
  /** Whether an API key was configured (the users listing is tried only then). */
  hasApiKey: boolean;
  pageSize: number;
  /** Pages in flight at once (the HTTP budget still bounds requests). */
  concurrency: number;
  progress?: ProgressSink;
  heartbeatMs?: number;
  signal?: AbortSignal;
}

export interface SyncRequest {
  mode?: 'full' | 'incremental';
  kinds?: ListedKind[];
}

export interface SyncOutcome extends RunProgress {
  runId: number;
  mode: 'full' | 'incremental';
  status: 'succeeded' | 'failed';
  error?: string;
}

export class SyncFailedError extends Error {
  override name = 'SyncFailedError';
}

export async function runSync(ctx: SyncContext, request: SyncRequest = {}): Promise<SyncOutcome> {
  const kinds = request.kinds ?? LISTED_KINDS;
  const mode = request.mode ?? ((await hasSucceededFullRun(ctx.db)) ? 'incremental' : 'full');
  const runId = await openRun(ctx.db, { mode, kinds });
  const tracker = new RunTracker(ctx.db, runId, ctx.http);
  tracker.startHeartbeat(ctx.heartbeatMs ?? 15_000, (error) => ctx.logger.warn({ err: error }, 'heartbeat failed'));
  const log = ctx.logger.child({ runId, mode });
  log.info({ kinds }, 'sync started');
  try {
    const problems: string[] = [];
    const userIds = new Set<string>();
    for (const kind of kinds) {
      if (kind === 'users') continue;
      problems.push(...(await syncListing(ctx, tracker, kind, userIds)));
    }
    if (kinds.includes('users')) problems.push(...(await syncUsers(ctx, tracker, userIds)));
    const error = problems.length ? problems.join(' ') : undefined;
    const progress = await tracker.finish(error ? 'failed' : 'succeeded', error);
    log.info({ counts: progress.counts, error }, 'sync finished');
    return { runId, mode, status: error ? 'failed' : 'succeeded', error, ...progress };
  } catch (error) {
    const message = describeRunError(error);
    const progress = await tracker.finish('failed', message);
    log.error({ err: error }, 'sync failed');
    return { runId, mode, status: 'failed', error: message, ...progress };
  } finally {
    (ctx.progress ?? silentProgress).end();
  }
}

/** Walks one listing into the mirror; returns the problems that make the run fail (pages lost). */
async function syncListing(ctx: SyncContext, tracker: RunTracker, kind: ListedKind, userIds: Set<string>): Promise<string[]> {
  const listing = LISTINGS[kind];
  const progress = ctx.progress ?? silentProgress;
  let done = 0;
  let items = 0;
  const walk = await walkListing(ctx.http, {
    path: listing.path,
    sort: listing.sort,
    pageSize: ctx.pageSize,
    concurrency: ctx.concurrency,
    signal: ctx.signal,
    onPage: async (page) => {
      const result = await storePage(ctx.sql, listing.kind, page.items, {
        runId: tracker.runId,
        observedAt: new Date().toISOString(),
        sourceUrl: page.sourceUrl,
      });
      for (const id of result.userIds) userIds.add(id);
      tracker.addPage(result);
      done++;
      items += page.items.length;
      progress.update(kind, done, Math.ceil(page.total / ctx.pageSize), items);
    },
  });
  tracker.addWalk(kind, walk);
  if (walk.failedPages.length === 0) return [];
  const pages = walk.failedPages.map((f) => f.page).join(', ');
  return [`${walk.failedPages.length} page(s) of ${kind} could not be fetched (pages ${pages}): ${walk.failedPages[0]!.error}.`];
}

async function syncUsers(ctx: SyncContext, tracker: RunTracker, discovered: Set<string>): Promise<string[]> {
  if (ctx.hasApiKey) {
    const listed = await tryUsersListing(ctx, tracker, discovered);
    if (listed) return listed;
  }
  const ids = new Set([...discovered, ...(await referencedUserIds(ctx.sql))]);
  const progress = ctx.progress ?? silentProgress;
  let done = 0;
  const userKind = LISTINGS.users.kind;
  await fetchUsersById(ctx.http, [...ids].sort(), {
    concurrency: ctx.concurrency,
    onBatch: async (batch) => {
      const observedAt = new Date().toISOString();
      const result = await storePage(ctx.sql, userKind, batch.found, {
        runId: tracker.runId,
        observedAt,
        sourceUrl: '/api/1/users/{id}/',
      });
      const gone = await storeTombstones(ctx.sql, userKind, batch.gone, { runId: tracker.runId, observedAt });
      const userCounts = result.counts.user;
      if (userCounts) userCounts.deleted += gone.length;
      tracker.addCounts(result.counts);
      done += batch.found.length + batch.gone.length;
      progress.update('users', done, ids.size, done);
    },
  });
  tracker.completeness.users = { total: ids.size, seen: done, pages: 0, failedPages: [], complete: done === ids.size };
  return [];
}

/** The admin-only listing; null when the key turns out not to be an admin's (401/403). */
async function tryUsersListing(ctx: SyncContext, tracker: RunTracker, discovered: Set<string>): Promise<string[] | null> {
  try {
    return await syncListing(ctx, tracker, 'users', discovered);
  } catch (error) {
    if (error instanceof Error && error.name === 'HttpError' && [401, 403].includes((error as { status?: number }).status ?? 0)) {
      ctx.logger.warn('the API key cannot list users (not an admin key): users are fetched by reference instead');
      return null;
    }
    throw error;
  }
}

function describeRunError(error: unknown): string {
  if (error instanceof BannedError) return error.message;
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}
