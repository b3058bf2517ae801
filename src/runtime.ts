// Builds what a command needs from the configuration: logger, database pool, HTTP client. Touches Postgres and HTTP.
import { createHttpClient, type HttpClient } from './api/http-client.ts';
import { createLocalBudget } from './api/request-budget.ts';
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

export function createRuntime(config: Config, logger: Logger = createLogger(config.LOG_LEVEL)): Runtime {
  const database = openDb(config.DATABASE_URL, { max: config.DATAGOUV_MAX_CONCURRENCY + 4 });
  const http = createHttpClient({
    baseUrl: config.DATAGOUV_BASE_URL,
    apiKey: config.DATAGOUV_API_KEY,
    timeoutMs: config.DATAGOUV_TIMEOUT_MS,
    retries: config.DATAGOUV_RETRIES,
    minRetryDelayMs: config.DATAGOUV_RETRY_DELAY_MS,
    connections: config.DATAGOUV_MAX_CONCURRENCY,
    budget: createLocalBudget({
      maxConcurrency: config.DATAGOUV_MAX_CONCURRENCY,
      requestsPerSecond: config.DATAGOUV_REQUESTS_PER_SECOND,
    }),
    logger,
  });
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
