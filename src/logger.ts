// Root pino logger. Pure apart from writing to stderr; redacts the API key wherever it can appear.
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'apiKey',
  'DATAGOUV_API_KEY',
  '*.apiKey',
  '*.DATAGOUV_API_KEY',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'config.DATAGOUV_API_KEY',
];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      name: 'datagouv-mirror',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination ?? pino.destination(2),
  );
}

export type { Logger };
