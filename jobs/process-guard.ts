// Keeps a worker process alive through faults its drivers raise outside any job: postgres.js,
// ioredis, BullMQ and redis-semaphore sometimes throw from their own timers and socket callbacks
// while a server restarts (e.g. postgres.js writing to a socket already gone), where no caller can
// catch. Those are logged and the worker goes on (its jobs retry); any other uncaught error still
// ends the process. Touches the process.
import type { Logger } from '../src/logger.ts';

const DRIVER_FRAMES = /node_modules[\\/](postgres|ioredis|bullmq|redis-semaphore|rate-limiter-flexible|undici)[\\/]/;

/** Whether an uncaught error comes from a database, Redis or HTTP driver rather than from our code. */
export function isDriverFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'LostLockError') return true;
  const frames = (error.stack ?? '').split('\n').slice(1);
  const first = frames.find((line) => line.includes('/'));
  return first !== undefined && DRIVER_FRAMES.test(first);
}

/** Installs the guard; returns its removal. */
export function guardAgainstDriverFaults(logger: Logger): () => void {
  const onFault = (error: unknown, origin: string) => {
    if (isDriverFault(error)) {
      logger.warn({ err: error, origin }, 'a driver failed outside any job (a server restarting?): the worker goes on');
      return;
    }
    logger.fatal({ err: error, origin }, 'uncaught error: the worker stops');
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
