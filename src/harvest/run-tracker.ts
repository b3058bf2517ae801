// Accumulates a run's counts in memory and saves them to the ledger on a heartbeat. Touches Postgres.
import type { HttpStats } from '../api/http-client.ts';
import type { Db } from '../db/client.ts';
import { emptyRunCounts, finishRun, heartbeatRun, type RunCounts, type RunProgress } from '../db/runs.ts';
import type { PageResult } from './store-page.ts';
import type { WalkResult } from './walk-listing.ts';

export type TypeCounts = PageResult['counts'][string];

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

  /** Saves progress every `intervalMs` until finished. */
  startHeartbeat(intervalMs: number, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => {
      heartbeatRun(this.db, this.runId, this.snapshot()).catch(onError);
    }, intervalMs);
    this.timer.unref();
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

  async finish(status: 'succeeded' | 'failed', error?: string): Promise<RunProgress> {
    if (this.timer) clearInterval(this.timer);
    return finishRun(this.db, this.runId, status, this.snapshot(), error);
  }
}
