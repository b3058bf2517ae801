// Rides through a lost PostgreSQL connection (a restart, a crash, a failover): the whole call, one
// transaction at most, is run again once the server answers, with backoff, until a deadline. Safe
// because every write of a run is idempotent and a batch is one transaction. Pure apart from timers.
import pRetry from 'p-retry';
import { causeMessage, rootCause } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** postgres.js and Node codes of a connection that broke or could not be made. */
const LOST_CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
]);

/** SQLSTATEs of a server going away or not accepting connections yet: admin_shutdown,
 * crash_shutdown, cannot_connect_now; class 08 is connection exceptions. */
const LOST_CONNECTION_STATES = new Set(['57P01', '57P02', '57P03']);

/** Whether `error` means the connection to PostgreSQL was lost (not that a statement was refused). */
export function isConnectionLoss(error: unknown): boolean {
  const code = (rootCause(error) as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return LOST_CONNECTION_CODES.has(code) || LOST_CONNECTION_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code);
}

/** PostgreSQL stayed unreachable past the deadline; `cause` is the last failure. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

export interface ConnectionRetryOptions {
  /** How long to keep trying from the first attempt before giving up. */
  deadlineMs: number;
  /** Receives one warning per lost attempt. */
  logger?: Logger;
  /** What is being done, for the log line and the final error ("storing a page"). */
  what?: string;
  /** Stops waiting (the run was interrupted): rejects with the signal's reason. */
  signal?: AbortSignal;
  /** First delay between attempts; it doubles, randomized, up to 5 s. Default 250. */
  minDelayMs?: number;
}

/** Runs `fn`, and again after each lost connection until `deadlineMs`; other errors pass through. */
export async function withConnectionRetry<T>(fn: () => Promise<T>, options: ConnectionRetryOptions): Promise<T> {
  const what = options.what ?? 'a database call';
  try {
    return await pRetry(fn, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: options.minDelayMs ?? 250,
      maxTimeout: 5_000,
      factor: 2,
      randomize: true,
      maxRetryTime: options.deadlineMs,
      signal: options.signal,
      shouldRetry: ({ error, attemptNumber }) => {
        if (!isConnectionLoss(error)) return false;
        options.logger?.warn({ what, attempt: attemptNumber, cause: causeMessage(error) }, 'lost the connection to PostgreSQL: retrying');
        return true;
      },
    });
  } catch (error) {
    if (options.signal?.aborted || !isConnectionLoss(error)) throw error;
    const seconds = Math.round(options.deadlineMs / 1000);
    throw new DatabaseUnavailableError(
      `PostgreSQL could not be reached for ${seconds} s while ${what}: ${causeMessage(error)}`,
      { cause: error },
    );
  }
}

/** The handles a run's database calls need: with `databaseRetryMs` unset, calls are made once. */
export interface RetryScope {
  databaseRetryMs?: number;
  logger: Logger;
  signal?: AbortSignal;
}

/** A run's database call: retried through lost connections when the scope allows it. */
export function onDatabase<T>(scope: RetryScope, what: string, fn: () => Promise<T>): Promise<T> {
  if (!scope.databaseRetryMs) return fn();
  return withConnectionRetry(fn, { deadlineMs: scope.databaseRetryMs, logger: scope.logger, what, signal: scope.signal });
}
