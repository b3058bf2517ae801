// Configuration: the only reader of process.env. Pure: parses an env object with one zod schema.
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const urlWithProtocol = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const positiveNumber = z.coerce.number().positive();

export const ConfigSchema = z.object({
  /** Unset: the embedded PostgreSQL of MIRROR_DATA_DIR (the command line starts it and fills this in). */
  DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']).optional(),
  /** Where the embedded PostgreSQL keeps its data when DATABASE_URL is unset. */
  MIRROR_DATA_DIR: z.string().min(1).default('./data'),
  /** How long a PostgreSQL connection may take to get ready before it fails (CONNECT_TIMEOUT). */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  REDIS_URL: urlWithProtocol(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  DATAGOUV_BASE_URL: urlWithProtocol(['http:', 'https:'])
    .default('https://www.data.gouv.fr')
    .transform((value) => value.replace(/\/+$/, '')),
  DATAGOUV_API_KEY: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Requests in flight at once against data.gouv.fr, across every worker. */
  DATAGOUV_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** Requests per second against data.gouv.fr, across every worker. */
  DATAGOUV_REQUESTS_PER_SECOND: positiveNumber.max(100).default(5),
  /** Retries of a failed request (network error, timeout, 429, 5xx) before its page or item counts as lost. */
  DATAGOUV_RETRIES: z.coerce.number().int().min(0).max(20).default(5),
  /** First retry delay; it doubles at each retry, with jitter, up to 30 s. */
  DATAGOUV_RETRY_DELAY_MS: z.coerce.number().int().min(1).default(500),
  /** Per-request timeout in milliseconds. */
  DATAGOUV_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Page size used for full listings. */
  DATAGOUV_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /** Largest share of a table a deletion sweep may tombstone before the run refuses. */
  SWEEP_MAX_SHARE: z.coerce.number().min(0).max(1).default(0.05),
  /** Known users re-fetched per incremental run, the longest unfetched first (users carry no stamp). */
  USERS_REFRESH_PER_RUN: z.coerce.number().int().min(0).optional(),
  /** Known users carry no stamp: each is re-fetched once per this many incremental runs (nightly:
   * days), a share of the population per run, the longest unfetched first. */
  USERS_REFRESH_DAYS: z.coerce.number().int().min(1).default(30),
  /** BullMQ queue name (also the namespace of the shared request budget in Redis). */
  QUEUE_NAME: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "-" or "_"').default('datagouv-mirror'),
  /** Jobs one worker process runs at once. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** How long a job's lock lasts without renewal: a killed worker's job is taken over after about that. */
  WORKER_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often workers look for stalled jobs of dead workers. */
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /** How long SIGTERM waits for active jobs before leaving them to another worker. */
  WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  /** Attempts of every queued job, the first included (stage jobs of a run and the coordinator alike). */
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  /** First retry delay of a failed job; it doubles at each attempt (10 attempts from 5 s span ~42 min). */
  JOB_BACKOFF_MS: z.coerce.number().int().min(1).default(5_000),
  /** A running run without heartbeat for this long is marked failed (its workers died). */
  RUN_STALE_AFTER_MS: z.coerce.number().int().min(1_000).default(600_000),
});

/** The settings as parsed: DATABASE_URL may still be unset (the embedded server's is not known yet). */
export type Settings = z.infer<typeof ConfigSchema>;

/** The settings of a command that uses a database: DATABASE_URL is known. */
export type Config = Settings & { DATABASE_URL: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment once; every bad key is reported in one message, named as `labels` says
 * (the command line names a value by the flag it came from).
 */
export function loadSettings(env: Record<string, string | undefined> = process.env, labels: Partial<Record<string, string>> = {}): Settings {
  const relevant = Object.fromEntries(
    Object.keys(ConfigSchema.shape).map((key) => [key, env[key] === '' && key !== 'DATAGOUV_API_KEY' ? undefined : env[key]]),
  );
  const parsed = ConfigSchema.safeParse(relevant);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.join('.');
    return `${labels[key] ?? key} ${issue.message.replace(/^Invalid input: /, '')} (got ${JSON.stringify(relevant[key] ?? null)})`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/** The settings of a process that is given its database (workers, the bench, tests): DATABASE_URL is required. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const settings = loadSettings(env);
  if (!settings.DATABASE_URL) {
    throw new ConfigError('DATABASE_URL is not set: name a PostgreSQL server, or run through the command line (`npm run mirror -- ...`), which starts the embedded one.');
  }
  return { ...settings, DATABASE_URL: settings.DATABASE_URL };
}
