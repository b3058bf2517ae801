// Accumulates a run's counts in memory and saves them to the ledger on a heartbeat, which also
// notices a run ended elsewhere (cancelled, reaped); closes the row and reports its truth. Touches Postgres.
import type { HttpStats } from '../api/http-client.ts';
import type { Db } from '../db/client.ts';
import { withConnectionRetry } from '../db/retry.ts';
import { emptyRunCounts, finishRun, getRun, heartbeatRun, type RunCounts, type RunProgress, type SyncRun } from '../db/runs.ts';
import type { Logger } from '../logger.ts';
import type { PageResult } from './store-page.ts';
import type { WalkResult } from './walk-listing.ts';

export type TypeCounts = PageResult['counts'][string];

/** How a run ended, as the ledger holds it. */
export interface RunEnd {
  status: 'succeeded' | 'failed';
  error?: string;
  progress: RunProgress;
}

export interface HeartbeatHandlers {
  /** A heartbeat that could not be saved (the next one tries again). */
  onError(error: unknown): void;
  /** The row left `running` without this process: cancelled or reaped. Called once. */
  onEnded?(row: SyncRun | undefined): void;
}

/** A heartbeat well within `staleAfterMs` (at most a third of it), so that a live run is never reaped. */
export function heartbeatInterval(staleAfterMs: number, wantedMs = 5_000): number {
  return Math.max(100, Math.min(wantedMs, Math.floor(staleAfterMs / 3)));
}

export class RunTracker {
  readonly counts: RunCounts = emptyRunCounts();
  readonly countsByType: Record<string, TypeCounts> = {};
  readonly completeness: Record<string, Omit<WalkResult, 'failedPages'> & { failedPages: number[] }> = {};
  private timer: NodeJS.Timeout | undefined;
  private readonly httpAtStart: { requests: number; retries: number };
  private readonly merged = { requests: 0, retries: 0 };

  constructor(
    private readonly db: Db,
    readonly runId: number,
    private readonly http: { stats: HttpStats },
  ) {
    this.httpAtStart = { requests: http.stats.requests, retries: http.stats.retries };
  }

  /** Saves progress every `intervalMs` until finished; one beat at a time (a slow database does not pile them up). */
  startHeartbeat(intervalMs: number, handlers: HeartbeatHandlers): void {
    let beating = false;
    this.timer = setInterval(() => {
      if (beating) return;
      beating = true;
      this.beat(handlers).finally(() => (beating = false));
    }, intervalMs);
    this.timer.unref();
  }

  private async beat(handlers: HeartbeatHandlers): Promise<void> {
    try {
      if (await heartbeatRun(this.db, this.runId, this.snapshot())) return;
      if (!this.timer) return; // finished meanwhile: the row is closed by this process
      this.stopHeartbeat();
      handlers.onEnded?.(await getRun(this.db, this.runId).catch(() => undefined));
    } catch (error) {
      handlers.onError(error);
    }
  }

  private stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  addPage(result: PageResult): void {
    this.counts.pages++;
    this.addCounts(result.counts);
  }

  addCounts(byType: PageResult['counts']): void {
    for (const [type, c] of Object.entries(byType)) {
      const entry = (this.countsByType[type] ??= {
        seen: 0, inserted: 0, updated: 0, restored: 0, unchanged: 0, rejected: 0, deleted: 0,
      });
      for (const key of Object.keys(entry) as Array<keyof TypeCounts>) entry[key] += c[key] ?? 0;
      this.counts.seen += c.seen ?? 0;
      this.counts.inserted += c.inserted ?? 0;
      this.counts.updated += c.updated ?? 0;
      this.counts.restored += c.restored ?? 0;
      this.counts.unchanged += c.unchanged ?? 0;
      this.counts.rejected += c.rejected ?? 0;
      this.counts.deleted += c.deleted ?? 0;
    }
  }

  /** Entities a manifest pass found unchanged (not fetched). */
  addUnchanged(type: string, count: number): void {
    this.addCounts({ [type]: { seen: count, inserted: 0, updated: 0, restored: 0, unchanged: count, rejected: 0, deleted: 0 } });
  }

  addDeletions(type: string, count: number): void {
    if (count === 0) return;
    this.addCounts({ [type]: { seen: 0, inserted: 0, updated: 0, restored: 0, unchanged: 0, rejected: 0, deleted: count } });
  }

  addWalk(kind: string, walk: WalkResult): void {
    this.completeness[kind] = { ...walk, failedPages: walk.failedPages.map((f) => f.page) };
  }

  /** Adds what another process recorded for the same run (a job's share of a distributed run). */
  merge(other: RunProgress): void {
    this.merged.requests += other.counts.requests;
    this.merged.retries += other.counts.retries;
    this.counts.pages += other.counts.pages;
    this.addCounts(other.countsByType as Record<string, TypeCounts>);
    Object.assign(this.completeness, other.completeness);
  }

  snapshot(): RunProgress {
    this.counts.requests = this.merged.requests + this.http.stats.requests - this.httpAtStart.requests;
    this.counts.retries = this.merged.retries + this.http.stats.retries - this.httpAtStart.retries;
    return { counts: { ...this.counts }, completeness: this.completeness, countsByType: this.countsByType };
  }

  /**
   * Closes the row, through lost connections for up to `retryMs`. A row already closed elsewhere
   * (cancelled, reaped) is left as it is and its status and reason are returned: never a false success.
   */
  async finish(status: 'succeeded' | 'failed', error?: string, options: { retryMs?: number; logger?: Logger } = {}): Promise<RunEnd> {
    this.stopHeartbeat();
    const close = async (): Promise<RunEnd> => {
      const { closed, ...progress } = await finishRun(this.db, this.runId, status, this.snapshot(), error);
      if (closed) return { status, error, progress };
      const row = await getRun(this.db, this.runId);
      // A lost answer to our own update (retried after the connection dropped) reads back as ours.
      if (row && row.status === status && (row.error ?? undefined) === error) return { status, error, progress };
      return { status: 'failed', error: row?.error ?? `run ${this.runId} was closed elsewhere`, progress };
    };
    if (!options.retryMs) return close();
    return withConnectionRetry(close, { deadlineMs: options.retryMs, logger: options.logger, what: `closing run ${this.runId}` });
  }
}
