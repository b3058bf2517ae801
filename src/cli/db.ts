// `db` (keep the embedded server running, print a psql URL) and `sql "<query>"` (one query, printed as
// a table). Touches Postgres.
import postgres from 'postgres';
import type { Config } from '../config.ts';
import { redactUrl } from '../db/migrate.ts';
import { embeddedChoice } from './database.ts';
import { CliError } from './errors.ts';
import { table } from './format.ts';

/** Resolves at the first SIGINT or SIGTERM; the process stays up until then (signal listeners alone do not hold it). */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const hold = setInterval(() => {}, 2 ** 30);
    const stop = (signal: NodeJS.Signals) => {
      clearInterval(hold);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function dbCommand(config: Config): Promise<void> {
  const embedded = embeddedChoice();
  if (!embedded) {
    console.log(`psql "${redactUrl(config.DATABASE_URL)}"`);
    process.stderr.write('DATABASE_URL names a server: it runs without this command.\n');
    return;
  }
  console.log(`psql "${embedded.url}"`);
  process.stderr.write('The embedded PostgreSQL runs until Ctrl-C (other commands using it keep it running until they end).\n');
  await untilSignal();
}

/** A cell as a person reads it: timestamps in ISO form, JSON as JSON, long values cut. */
function cell(value: unknown): string {
  if (value == null) return '';
  if (value instanceof Date) return value.toISOString();
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const line = text.replace(/\s+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function printResult(result: postgres.RowList<postgres.Row[]>, opts: { json?: boolean }): void {
  if (opts.json) {
    for (const row of result) console.log(JSON.stringify(row));
    return;
  }
  const columns = (result.columns ?? []).map((c) => c.name);
  if (columns.length === 0) {
    console.log(`${result.command ?? 'OK'}${result.count ? ` ${result.count}` : ''}`);
    return;
  }
  console.log(table(columns, result.map((row) => columns.map((c) => cell((row as Record<string, unknown>)[c])))));
  console.log(`(${result.length} row${result.length === 1 ? '' : 's'})`);
}

export async function sqlCommand(config: Config, query: string, opts: { json?: boolean }): Promise<void> {
  const sql = postgres(config.DATABASE_URL, { max: 1, onnotice: () => {}, connect_timeout: config.DATABASE_CONNECT_TIMEOUT_MS / 1000 });
  try {
    const result = await sql.unsafe(query).catch((error: unknown) => {
      const { message, position } = error as { message?: string; position?: string };
      if (typeof (error as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((error as { code: string }).code) && message) {
        throw new CliError(`PostgreSQL refused the query: ${message}${position ? ` (at character ${position})` : ''}.`);
      }
      throw error;
    });
    // Several statements give one result each, in order: each is printed.
    const results = (result.columns === undefined && result.length > 0 && Array.isArray(result[0]) ? [...result] : [result]) as Array<typeof result>;
    results.forEach((one, index) => {
      if (index > 0) console.log('');
      printResult(one, opts);
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}
