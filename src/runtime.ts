// Builds what a command needs from the configuration: logger, database pool, HTTP client. Touches Postgres and HTTP.
import { createHttpClient, type HttpClient } from './api/http-client.ts';
import { createLocalBudget, type RequestBudget } from './api/request-budget.ts';
import type { SyncContext } from './harvest/sync-context.ts';
import type { Config } from './config.ts';
import { openDb, type DbHandle } from './db/client.ts';
import { createLogger, type Logger } from './logger.ts';

export interface Runtime {
  config: Config;
  logger: Logger;
  database: DbHandle;
  http: HttpClient;
  close(): Promise<void>;
}

/** The data.gouv.fr client a configuration describes, with the given budget (local or shared). */
export function httpClientFor(config: Config, budget: RequestBudget, logger: Logger, signal?: AbortSignal): HttpClient {
  return createHttpClient({
    baseUrl: config.DATAGOUV_BASE_URL,
    apiKey: config.DATAGOUV_API_KEY,
    timeoutMs: config.DATAGOUV_TIMEOUT_MS,
    retries: config.DATAGOUV_RETRIES,
    minRetryDelayMs: config.DATAGOUV_RETRY_DELAY_MS,
    connections: config.DATAGOUV_MAX_CONCURRENCY,
    budget,
    logger,
    signal,
  });
}

/** The sync context a configuration describes, over the given handles. */
export function syncContextFor(
  config: Config,
  handles: Pick<SyncContext, 'sql' | 'db' | 'http' | 'logger'> & Partial<Pick<SyncContext, 'progress' | 'signal'>>,
): SyncContext {
  return {
    ...handles,
    hasApiKey: Boolean(config.DATAGOUV_API_KEY),
    pageSize: config.DATAGOUV_PAGE_SIZE,
    concurrency: config.DATAGOUV_MAX_CONCURRENCY,
    sweepMaxShare: config.SWEEP_MAX_SHARE,
    usersPerRun: config.USERS_REFRESH_PER_RUN,
    usersRefreshDays: config.USERS_REFRESH_DAYS,
    staleAfterMs: config.RUN_STALE_AFTER_MS,
  };
}

export function createRuntime(config: Config, logger: Logger = createLogger(config.LOG_LEVEL)): Runtime {
  const database = openDb(config.DATABASE_URL, { max: config.DATAGOUV_MAX_CONCURRENCY + 4, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, harvesting: true });
  const budget = createLocalBudget({ maxConcurrency: config.DATAGOUV_MAX_CONCURRENCY, requestsPerSecond: config.DATAGOUV_REQUESTS_PER_SECOND });
  const http = httpClientFor(config, budget, logger);
  return {
    config,
    logger,
    database,
    http,
    async close() {
      await Promise.allSettled([http.close(), database.close()]);
    },
  };
}
