// Circuit breaker on consecutive refused connections (how data.gouv.fr's IP bans show up). Pure state.
import { BannedError } from './errors/index.ts';

export interface RefusalCircuit {
  /** Throws BannedError once the circuit is open: no more traffic. */
  assertClosed(): void;
  /** Counts a refused connection; returns the BannedError when this one opened the circuit. */
  recordRefusal(cause: unknown): BannedError | undefined;
  /** Any HTTP answer proves the server accepts us again. */
  recordAnswer(): void;
}

export function createRefusalCircuit(threshold: number): RefusalCircuit {
  let consecutive = 0;
  let openError: BannedError | undefined;
  return {
    assertClosed() {
      if (openError) throw openError;
    },
    recordRefusal(cause) {
      if (openError) return openError;
      consecutive += 1;
      if (consecutive >= threshold) openError = new BannedError(consecutive, { cause });
      return openError;
    },
    recordAnswer() {
      // Once open, the circuit stays open for the client's lifetime: a ban is lifted in hours, not seconds.
      if (!openError) consecutive = 0;
    },
  };
}
