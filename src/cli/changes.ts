// `changes`: the recorded changes with old → new values, as a table on a terminal and as JSON, NDJSON
// or CSV otherwise; streamed, so a full sync's inserts go out without being held. Touches Postgres.
import { once } from 'node:events';
import type { Config } from '../config.ts';
import { openDb } from '../db/client.ts';
import { selectChanges } from '../db/sql/select-changes.ts';
import { changesFilter, type ChangesArgs, type Format } from './changes-options.ts';
import { formatCsv, formatNdjson, formatTable, linesOf, type ChangeLine } from './changes-format.ts';

/** How many changes a terminal shows when no --limit is given (machine formats get them all). */
export const TABLE_DEFAULT_LIMIT = 50;

/** The reader of the output went away (`| head`): not a failure of the command. */
class OutputClosed extends Error {}

async function write(text: string): Promise<void> {
  if (text === '') return;
  // `once` rejects when the stream errs (EPIPE): a closed pipe never drains.
  if (!process.stdout.write(text)) await Promise.race([once(process.stdout, 'drain'), once(process.stdout, 'close')]);
}

const isClosedPipe = (error: unknown) => error instanceof OutputClosed || (error as NodeJS.ErrnoException)?.code === 'EPIPE';

export async function changesCommand(config: Config, args: ChangesArgs & { format?: Format }): Promise<void> {
  const filter = changesFilter(args);
  const format: Format = args.format ?? (process.stdout.isTTY ? 'table' : 'ndjson');
  const limit = filter.limit ?? (format === 'table' ? TABLE_DEFAULT_LIMIT : undefined);
  const database = openDb(config.DATABASE_URL, { max: 1, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS });
  let closed = false;
  const onError = () => {
    closed = true; // nothing more can be written; the next batch stops the query
  };
  process.stdout.on('error', onError);
  const table: ChangeLine[] = [];
  let batches = 0;
  let jsonItems = 0;
  try {
    const count = await selectChanges(database.sql, { ...filter, limit }, async (rows) => {
      if (closed) throw new OutputClosed();
      const lines = rows.flatMap((row) => linesOf(row, filter));
      if (format === 'table') table.push(...lines);
      else if (format === 'ndjson') await write(formatNdjson(lines));
      else if (format === 'csv') await write(formatCsv(lines, batches === 0));
      else {
        await write(lines.map((line) => `${jsonItems++ === 0 ? '[\n' : ',\n'}${JSON.stringify(line)}`).join(''));
      }
      batches++;
    });
    if (format === 'csv' && batches === 0) await write(formatCsv([], true));
    if (format === 'json') await write(jsonItems === 0 ? '[]\n' : '\n]\n');
    if (format === 'table') {
      await write(`${formatTable(table)}\n`);
      const more = limit !== undefined && count === limit ? `: the latest ${limit}, --limit N for more` : '';
      const stamps = table.some((line) => line.stamp) ? '; * = modification stamp' : '';
      if (count) await write(`${count} change${count === 1 ? '' : 's'}${more}${stamps}.\n`);
    }
  } catch (error) {
    if (!isClosedPipe(error)) throw error;
  } finally {
    process.stdout.off('error', onError);
    await database.close();
  }
}
