// Redis connections for BullMQ and the shared request budget; while Redis is unreachable they reconnect
// with a growing delay and say so once per step, not once per failed socket. Touches Redis.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redactUrl } from '../db/migrate.ts';

/** Delay before reconnection attempt `attempt` (1-based): 250 ms, doubling, at most 20 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(250 * 2 ** (attempt - 1), 20_000);
}

/** What one process knows of an outage of one Redis: every connection to it (BullMQ's duplicates
 * too, which inherit the retry strategy) reports there, so each backoff step is logged once. */
interface Outage {
  logger?: Logger;
  /** Highest attempt logged in the current outage; 0 when connected. */
  step: number;
  /** Just reconnected: connections still counting attempts of the last outage are not a new one. */
  recovered: boolean;
  lastCode?: string;
}

const outages = new Map<string, Outage>();

function outageOf(url: string, logger: Logger | undefined): Outage {
  const outage = outages.get(url) ?? { step: 0, recovered: false };
  outages.set(url, outage);
  if (logger) outage.logger = logger;
  return outage;
}

function reportAttempt(outage: Outage, url: string, attempt: number, delayMs: number): void {
  if (attempt <= outage.step || (outage.recovered && attempt > 1)) return;
  outage.recovered = false;
  outage.step = attempt;
  const where = redactUrl(url);
  outage.logger?.warn(
    { redis: where, attempt, retryInMs: delayMs, code: outage.lastCode },
    `waiting for Redis at ${where} (${outage.lastCode ?? 'no answer'}): attempt ${attempt + 1} in ${delayMs / 1000} s`,
  );
}

function reportReady(outage: Outage, url: string): void {
  if (outage.step === 0) return;
  outage.logger?.info({ redis: redactUrl(url) }, `Redis at ${redactUrl(url)} answers again`);
  outage.step = 0;
  outage.recovered = true;
}

/** BullMQ workers block on Redis: they need `maxRetriesPerRequest: null` (ioredis retries forever).
 * With a `logger`, an outage is logged once per reconnection step; without one it is silent. */
export function createRedis(url: string, options: { name?: string; logger?: Logger } = {}): Redis {
  const outage = outageOf(url, options.logger);
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: options.name ?? 'datagouv-mirror',
    retryStrategy: (attempt) => {
      const delay = reconnectDelayMs(attempt);
      reportAttempt(outage, url, attempt, delay);
      return delay;
    },
  });
  // Connection errors are what the step lines report; without a listener ioredis would dump each one.
  redis.on('error', (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') outage.lastCode = code;
  });
  redis.on('ready', () => reportReady(outage, url));
  return redis;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** A failure to reach Redis (already told by the step lines), as BullMQ re-emits it from its connections. */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || error.message === 'Connection is closed.';
}

/** A connection for a short command: it gives up after a few seconds instead of retrying forever. */
export async function connectRedisBriefly(url: string, name: string): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => (times > 3 ? null : 200 * times),
  });
  let lastError: unknown;
  redis.on('error', (error: unknown) => {
    lastError = error; // reported once below, not as an unhandled event with a stack
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    const reason = (lastError ?? error) as { code?: string; message?: string };
    throw new RedisUnavailableError(`Cannot connect to Redis at ${redactUrl(url)} (${reason.code ?? reason.message}): check REDIS_URL and that the server runs.`, { cause: error });
  }
}

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}
