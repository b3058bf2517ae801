// Root pino logger. Pure apart from writing to stderr; redacts the API key wherever it can appear.
// On a terminal the lines are made human (pino-pretty) and printed above any progress bars; elsewhere
// they stay JSON, one per line.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { writeStderr } from './terminal.ts';
import { rootCause } from './errors.ts';

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
    // drizzle's "Failed query: …" wrapper is logged as the driver's (PostgreSQL's) error it wraps.
    const root = rootCause(error);
    if (!(root instanceof Error)) return root;
    const code = (root as { code?: unknown }).code;
    return { type: root.name, message: root.message, ...(code === undefined ? {} : { code }) };
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
    destination ?? (process.stderr.isTTY ? humanLines() : pino.destination(2)),
  );
}

function humanLines(): pino.DestinationStream {
  return pretty({
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        writeStderr(chunk.toString());
        done();
      },
    }),
    sync: true,
    colorize: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name',
    singleLine: true,
  });
}

export type { Logger };
