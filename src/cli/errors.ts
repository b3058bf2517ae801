// Turns any failure into the one sentence the CLI prints. Pure.
import { ConfigError } from '../config.ts';
import { redactUrl } from '../db/migrate.ts';
import { rootCause } from '../errors.ts';

/** A failure the user can act on: printed as it is, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

interface Coded {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

export function oneSentence(error: unknown, databaseUrl?: string): string {
  if (error instanceof ConfigError || error instanceof CliError) return error.message;
  const root = rootCause(error) as Coded;
  const code = typeof root?.code === 'string' ? root.code : undefined;
  const where = databaseUrl ? ` at ${redactUrl(databaseUrl)}` : '';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'CONNECT_TIMEOUT') {
    return `Cannot connect to PostgreSQL${where} (${code}): check DATABASE_URL and that the server runs.`;
  }
  if (code === '3D000') return `The database${where} does not exist: run \`npm run mirror -- migrate\` first.`;
  if (code === '42P01' || code === '42703') return `The database${where} is not migrated to this version: run \`npm run mirror -- migrate\` first.`;
  const message = root instanceof Error ? root.message : error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim().replace(/([^.!?])$/, '$1.');
}
