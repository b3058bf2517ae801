// Keeps a process alive through faults its drivers raise outside any call: postgres.js, ioredis,
// BullMQ, redis-semaphore and undici sometimes throw from their own timers and socket callbacks while
// a server restarts (postgres.js writing to a socket already gone, mended in patches/), where no
// caller can catch. Such a fault is logged and the process goes on (an in-process run reruns its batch
// once the server is back, a worker's job retries); any other uncaught error still ends the process.
// Touches the process.
import type { Logger } from './logger.ts';

const DRIVER_FRAMES = /node_modules[\\/](postgres|ioredis|bullmq|redis-semaphore|rate-limiter-flexible|undici)[\\/]/;

/** Whether an uncaught error was thrown by a driver's own code (its first frame), not by ours. */
export function isDriverFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'LostLockError') return true;
  const first = (error.stack ?? '').split('\n').slice(1).find((line) => line.includes('/'));
  return first !== undefined && DRIVER_FRAMES.test(first);
}

/** Installs the guard for uncaught exceptions and unhandled rejections; returns its removal. */
export function guardAgainstDriverFaults(logger: Logger, what = 'the process'): () => void {
  const onFault = (error: unknown, origin: string) => {
    if (isDriverFault(error)) {
      logger.warn({ err: error, origin }, `a driver failed outside any call (a server restarting?): ${what} goes on`);
      return;
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  };
  const onException = (error: unknown) => onFault(error, 'uncaughtException');
  const onRejection = (reason: unknown) => onFault(reason, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

/** Runs `fn` with driver faults logged instead of ending the process. */
export async function surviveDriverFaults<T>(logger: Logger, fn: () => Promise<T>): Promise<T> {
  const unguard = guardAgainstDriverFaults(logger, 'the run');
  try {
    return await fn();
  } finally {
    unguard();
  }
}
