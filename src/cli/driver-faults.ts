// Keeps an in-process run alive through a fault its PostgreSQL or HTTP driver raises from its own
// timers while a server restarts (postgres.js writing to a socket already gone), where no caller can
// catch it: the fault is logged and the run goes on, its batch rerun once the server is back
// (db/retry.ts). Any other uncaught error still ends the process. Touches the process.
import type { Logger } from '../logger.ts';

const DRIVER_FRAMES = /node_modules[\\/](postgres|undici)[\\/]/;

/** Whether an uncaught error was thrown by a driver's own code (its first frame), not by ours. */
export function isDriverFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const first = (error.stack ?? '').split('\n').slice(1).find((line) => line.includes('/'));
  return first !== undefined && DRIVER_FRAMES.test(first);
}

/** Runs `fn` with driver faults logged instead of ending the process. */
export async function surviveDriverFaults<T>(logger: Logger, fn: () => Promise<T>): Promise<T> {
  const onException = (error: unknown) => {
    if (isDriverFault(error)) {
      logger.warn({ err: error }, 'a driver failed outside any call (a server restarting?): the run goes on');
      return;
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', onException);
  try {
    return await fn();
  } finally {
    process.off('uncaughtException', onException);
  }
}
