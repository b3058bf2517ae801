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
      for (const key of Object.keys(entry) as Array<keyof TypeCounts>) entry[key] += c[key];
      this.counts.seen += c.seen;
      this.counts.inserted += c.inserted;
      this.counts.updated += c.updated;
      this.counts.restored += c.restored;
      this.counts.unchanged += c.unchanged;
      this.counts.rejected += c.rejected;
      this.counts.deleted += c.deleted;
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

  snapshot(): RunProgress {
    this.counts.requests = this.http.stats.requests - this.httpAtStart.requests;
    this.counts.retries = this.http.stats.retries - this.httpAtStart.retries;
    return { counts: { ...this.counts }, completeness: this.completeness, countsByType: this.countsByType };
  }

  async finish(status: 'succeeded' | 'failed', error?: string): Promise<RunProgress> {
    if (this.timer) clearInterval(this.timer);
    const snapshot = this.snapshot();
    await finishRun(this.db, this.runId, status, snapshot, error);
    return snapshot;
  }
}
