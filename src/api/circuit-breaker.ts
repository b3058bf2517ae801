// Circuit breaker on failed connections. Refusals from a host that has answered before are how
// data.gouv.fr's IP bans show up; refusals or unresolved names before any answer mean a wrong address. Pure state.
import { BannedError, UnreachableError } from './errors/index.ts';

export interface RefusalCircuit {
  /** Throws BannedError once the circuit is open: no more traffic. */
  assertClosed(): void;
  /** Counts a refused connection; returns the error to throw instead of a retryable NetworkError, if any:
   * the BannedError that opened the circuit, or an UnreachableError when the host never answered. */
  recordRefusal(cause: unknown, url: string): BannedError | UnreachableError | undefined;
  /** Counts a host name that did not resolve; an UnreachableError when the host never answered. */
  recordUnresolved(code: string, cause: unknown, url: string): UnreachableError | undefined;
  /** Any HTTP answer proves the server exists and accepts us again. */
  recordAnswer(): void;
}

export interface RefusalCircuitOptions {
  /** Failed connections in a row, before any answer, that make the address wrong. Default 3. */
  unreachableAfter?: number;
}

export function createRefusalCircuit(threshold: number, options: RefusalCircuitOptions = {}): RefusalCircuit {
  const unreachableAfter = options.unreachableAfter ?? 3;
  let answered = false;
  let unanswered = 0;
  let consecutive = 0;
  let openError: BannedError | undefined;
  // Not latched: a server started late is used as soon as it answers. Once the count is reached, every
  // further failure is reported at once, so the other requests of the run do not wait their retries.
  const unreachable = (code: string, cause: unknown, url: string) =>
    ++unanswered >= unreachableAfter ? new UnreachableError({ code, url }, { cause }) : undefined;
  return {
    assertClosed() {
      if (openError) throw openError;
    },
    recordRefusal(cause, url) {
      if (openError) return openError;
      if (!answered) return unreachable('ECONNREFUSED', cause, url);
      consecutive += 1;
      if (consecutive >= threshold) openError = new BannedError(consecutive, { cause });
      return openError;
    },
    recordUnresolved(code, cause, url) {
      // Once the host has answered, a resolver hiccup is an ordinary network failure, retried.
      return answered || openError ? undefined : unreachable(code, cause, url);
    },
    recordAnswer() {
      answered = true;
      unanswered = 0;
      // Once open, the circuit stays open for the client's lifetime: a ban is lifted in hours, not seconds.
      if (!openError) consecutive = 0;
    },
  };
}
