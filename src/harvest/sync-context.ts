// What every stage of a run shares: handles, settings and the run's tracker. Pure types.
import type postgres from 'postgres';
import type { HttpClient } from '../api/http-client.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { ProgressSink } from './progress.ts';
import type { PageSlots } from './walk-listing.ts';
import type { RunTracker } from './run-tracker.ts';

export interface SyncContext {
  sql: postgres.Sql;
  db: Db;
  http: HttpClient;
  logger: Logger;
  /** Whether an API key was configured (the users listing is tried only then). */
  hasApiKey: boolean;
  /** Page size of full listings. */
  pageSize: number;
  /** Page size of manifest passes (ids and stamps only, so pages can be large). Default 1000. */
  manifestPageSize?: number;
  /** Pages or items in flight at once (the HTTP budget still bounds requests). */
  concurrency: number;
  /** Largest share of a table's live rows a deletion sweep may tombstone. Default 0.05. */
  sweepMaxShare?: number;
  /** Known users refreshed per incremental run, a fixed count; unset: a share of them (see below). */
  usersPerRun?: number;
  /** Unset `usersPerRun`: each known user is refreshed once per this many incremental runs. Default 30. */
  usersRefreshDays?: number;
  /** A running run without heartbeat for this long is marked failed. Default 600 000. */
  staleAfterMs?: number;
  progress?: ProgressSink;
  /** Heartbeat of a run in this process; never more than a third of `staleAfterMs`. Default 5 000. */
  heartbeatMs?: number;
  /** Ends the run's work: in-flight requests are aborted and no further batch is stored. */
  signal?: AbortSignal;
  /** How long a lost PostgreSQL connection is waited for (each batch's transaction run again once it
   * is back) before the run fails. Unset: no wait (queue jobs have their own attempts). */
  databaseRetryMs?: number;
  /** Bounds of pages held and stored, shared by the listings a run walks side by side. */
  pageSlots?: PageSlots;
}

export interface RunScope {
  runId: number;
  tracker: RunTracker;
  mode: 'full' | 'incremental';
  /** Users referenced by what this run stored. */
  userIds: Set<string>;
  /** Users asked for in full by this run (found or gone). */
  fetchedUserIds: Set<string>;
  /** Told of each user first referenced by what this run stores (a full run fetches them meanwhile). */
  onNewUser?: (id: string) => void;
}

export const now = (): string => new Date().toISOString();
