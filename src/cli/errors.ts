// Turns any failure into the one sentence the CLI prints, blaming the right server. Pure.
import { BannedError, HttpError, MalformedResponseError, NetworkError, UnreachableError } from '../api/errors/index.ts';
import { ConfigError } from '../config.ts';
import { redactUrl } from '../db/migrate.ts';
import { causeMessage, rootCause } from '../errors.ts';

/** A failure the user can act on: printed as it is, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/** Connection failures of the PostgreSQL driver (the API's are typed errors, Redis's are worded where they happen). */
const DATABASE_CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'CONNECT_TIMEOUT']);

/** The data.gouv.fr client's error in the chain of causes, if any: it already says what to do. */
function apiErrorIn(error: unknown): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    if ([HttpError, NetworkError, BannedError, UnreachableError, MalformedResponseError].some((type) => current instanceof type)) {
      return current as Error;
    }
  }
  return undefined;
}

export function oneSentence(error: unknown, databaseUrl?: string): string {
  if (error instanceof ConfigError || error instanceof CliError) return error.message;
  const api = apiErrorIn(error);
  if (api) return sentence(api.message);
  const root = rootCause(error) as { code?: unknown } | null;
  const code = typeof root?.code === 'string' ? root.code : undefined;
  const where = databaseUrl ? ` at ${redactUrl(databaseUrl)}` : '';
  if (code && DATABASE_CONNECT_CODES.has(code)) {
    return `Cannot connect to PostgreSQL${where} (${code}): check DATABASE_URL (or --database-url) and that the server runs.`;
  }
  if (code === '3D000') return `The database${where} does not exist: run \`npm run mirror -- migrate\` first.`;
  if (code === '42P01' || code === '42703') return `The database${where} is not migrated to this version: run \`npm run mirror -- migrate\` first.`;
  return sentence(causeMessage(error));
}

/** One line ending with a full stop. */
function sentence(message: string): string {
  return message.replace(/\s+/g, ' ').trim().replace(/([^.!?])$/, '$1.');
}
