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

/** Below debug, errors are logged as type and message: stack traces only when asked for. */
function errorSerializer(level: string) {
  if (level === 'debug' || level === 'trace') return pino.stdSerializers.err;
  return (error: unknown) => {
    if (!(error instanceof Error)) return error;
    const code = (error as { code?: unknown }).code;
    return { type: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
  };
}

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      name: 'datagouv-mirror',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      serializers: { err: errorSerializer(level) },
    },
    destination ?? pino.destination(2),
  );
}

export type { Logger };
