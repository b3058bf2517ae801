// Retry policy of the HTTP client: which failures are transient, how long Retry-After asks. Pure.
import { BannedError, HttpError, MalformedResponseError, NetworkError, UnreachableError } from './errors/index.ts';

/** Codes of transport failures worth retrying: the request may well succeed a moment later. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The error code of a transport failure; Node reports dual-stack connect failures as an AggregateError. */
export function networkErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerCode = networkErrorCode(inner);
      if (innerCode) return innerCode;
    }
  }
  return undefined;
}

/** 429 and 5xx are transient; 501 (Not Implemented, e.g. search disabled) is a permanent answer. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

/** Whether the client should try again after this failure. */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof BannedError || error instanceof UnreachableError) return false;
  if (error instanceof HttpError || error instanceof NetworkError || error instanceof MalformedResponseError) {
    return error.retryable;
  }
  return false;
}

/**
 * Parses `Retry-After` (delta-seconds or HTTP date) into milliseconds, capped at `capMs`.
 * Undefined when absent or unparsable, so the normal backoff applies.
 */
export function parseRetryAfter(value: string | undefined, capMs: number, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(0, ms), capMs);
}

export interface BackoffSettings {
  minTimeout: number;
  maxTimeout: number;
  factor: number;
}

/**
 * The shortest delay p-retry will wait before the next attempt (its jitter multiplies by 1..2),
 * mirroring p-retry's `minTimeout * factor ** retriesConsumed` capped by `maxTimeout`.
 */
export function backoffFloorMs(retriesConsumed: number, settings: BackoffSettings): number {
  return Math.min(settings.minTimeout * settings.factor ** retriesConsumed, settings.maxTimeout);
}

/**
 * Extra wait before retrying so that the total pause is at least what `Retry-After` asked:
 * p-retry's own backoff already covers `backoffFloorMs`, we only add the difference.
 */
export function extraRetryAfterWaitMs(error: unknown, retriesConsumed: number, settings: BackoffSettings): number {
  if (!(error instanceof HttpError) || error.retryAfterMs === undefined) return 0;
  return Math.max(0, error.retryAfterMs - backoffFloorMs(retriesConsumed, settings));
}
