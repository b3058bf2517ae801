// BannedError: the circuit breaker opened after repeated refused connections from a host that had answered
// before (probable IP ban). Pure.

export class BannedError extends Error {
  override name = 'BannedError';
  /** Retrying would prolong the ban: the run must stop. */
  readonly retryable = false;
  readonly refusals: number;

  constructor(refusals: number, options?: ErrorOptions) {
    super(
      `data.gouv.fr refused connections ${refusals} times in a row after answering earlier, probably an IP ban for too many requests: ` +
        'the run stopped sending requests; wait (hours) before retrying and lower DATAGOUV_REQUESTS_PER_SECOND / DATAGOUV_MAX_CONCURRENCY.',
      options,
    );
    this.refusals = refusals;
  }
}
