// Drives an open run to its end in this process: the heartbeat, one abort signal for all its work
// (the process was interrupted, or the row was ended elsewhere by `cancel` or a reap), and the closing
// of the row with what really happened. Touches Postgres and HTTP.
import { BannedError } from '../api/errors/index.ts';
import type { HttpClient } from '../api/http-client.ts';
import { anySignal } from '../api/transport.ts';
import { DatabaseUnavailableError, isConnectionLoss } from '../db/retry.ts';
import { causeMessage } from '../errors.ts';
import { heartbeatInterval, RunTracker, type RunEnd } from './run-tracker.ts';
import type { RunScope, SyncContext } from './sync-context.ts';

/** The process got SIGINT or SIGTERM: the run ends `failed` with "interrupted (SIGINT)". */
export class RunInterruptedError extends Error {
  override name = 'RunInterruptedError';
  constructor(readonly signalName: string) {
    super(`interrupted (${signalName})`);
  }
}

/** The run's row left `running` without this process (cancelled from the command line, reaped). */
export class RunEndedElsewhereError extends Error {
  override name = 'RunEndedElsewhereError';
}

/** The client with every request also aborted by `signal` (listing pages included). */
export function withSignal(http: HttpClient, signal: AbortSignal): HttpClient {
  return {
    getJson: (pathOrUrl, o) => http.getJson(pathOrUrl, { ...o, signal: anySignal(o?.signal, signal) }),
    get stats() {
      return http.stats;
    },
    withOwnStats: () => withSignal(http.withOwnStats(), signal),
    close: () => http.close(),
  };
}

/** Runs `work` on the opened run and closes its row; `work` returns the sentences that fail the run. */
export async function conductRun(
  ctx: SyncContext,
  opened: { runId: number; mode: RunScope['mode'] },
  work: (ctx: SyncContext, run: RunScope) => Promise<string[]>,
): Promise<RunEnd> {
  const { runId } = opened;
  const log = ctx.logger.child({ runId });
  const ended = new AbortController();
  const signal = anySignal(ctx.signal, ended.signal)!;
  const tracker = new RunTracker(ctx.db, runId, ctx.http);
  tracker.startHeartbeat(heartbeatInterval(ctx.staleAfterMs ?? 600_000, ctx.heartbeatMs), {
    onError: (error) => (isConnectionLoss(error) ? log.debug({ err: error }, 'heartbeat not saved') : log.warn({ err: error }, 'heartbeat not saved')),
    onEnded: (row) => ended.abort(new RunEndedElsewhereError(row?.error ?? `Run ${runId} was ended by another process.`)),
  });
  const run: RunScope = { runId, tracker, mode: opened.mode, userIds: new Set(), fetchedUserIds: new Set() };
  const finish = (status: RunEnd['status'], error?: string, retryMs = ctx.databaseRetryMs) =>
    tracker.finish(status, error, { retryMs, logger: log });
  try {
    const problems = await work({ ...ctx, signal, http: withSignal(ctx.http, signal) }, run);
    const error = problems.length ? problems.map((p) => p.replace(/\.?$/, '.')).join(' ') : undefined;
    return await finish(error ? 'failed' : 'succeeded', error);
  } catch (error) {
    // Aborted work throws whatever was in flight; the reason is the signal's.
    const cause: unknown = signal.aborted ? signal.reason : error;
    if (!signal.aborted) log.error({ err: error }, 'run failed');
    if (!(cause instanceof DatabaseUnavailableError)) return finish('failed', describeRunError(cause));
    // The database was already waited for: one more short try to record why, else the cause as is
    // (the row is then reaped once stale).
    return finish('failed', describeRunError(cause), Math.min(ctx.databaseRetryMs ?? 0, 5_000)).catch(() => {
      throw cause;
    });
  }
}

/** The reason recorded in `sync_runs.error`. */
export function describeRunError(error: unknown): string {
  if (error instanceof BannedError || error instanceof RunInterruptedError || error instanceof RunEndedElsewhereError) return error.message;
  if (error instanceof DatabaseUnavailableError) return error.message;
  if (error instanceof Error) return causeMessage(error);
  return String(error);
}
