// SIGINT and SIGTERM during an in-process run: the first aborts its work so that the run is closed as
// failed "interrupted (SIGINT)"; a second one exits at once. Touches process signals.
import { RunInterruptedError } from '../harvest/conduct-run.ts';

const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Runs `fn` with a signal that SIGINT/SIGTERM abort; the handlers are removed when it settles. */
export async function untilInterrupted<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`Interrupted again (${name}): exiting at once, the run is left to be marked failed once its heartbeat is stale.\n`);
      process.exit(EXIT_CODES[name] ?? 1);
    }
    controller.abort(new RunInterruptedError(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
