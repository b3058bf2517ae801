// Builds the sync context a command runs with (the queue for --queue is opened by queue-handle.ts). Touches Postgres, HTTP.
import type { Settings } from '../config.ts';
import { createProgress } from '../harvest/progress.ts';
import { createProgressBars } from './progress-bars.ts';
import type { SyncContext } from '../harvest/sync-context.ts';
import { syncContextFor, type Runtime } from '../runtime.ts';

export function syncContextOf(runtime: Runtime, options: { progress?: boolean } = {}): SyncContext {
  return syncContextFor(runtime.config, {
    sql: runtime.database.sql,
    db: runtime.database.db,
    http: runtime.http,
    logger: runtime.logger,
    // A terminal gets bars; anything else (files, CI, Docker logs) the JSON progress lines.
    progress: options.progress ? (process.stderr.isTTY ? createProgressBars() : createProgress({ tty: false, logger: runtime.logger })) : undefined,
  });
}

export { queueOf, type QueueHandle } from './queue-handle.ts';
