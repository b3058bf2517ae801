// UnreachableError: data.gouv.fr has not answered once in this client's life and cannot be reached: nothing
// listens at the address, or its host name does not resolve. A wrong address, not a ban. Pure.

export class UnreachableError extends Error {
  override name = 'UnreachableError';
  /** Retrying a wrong address only delays the one sentence that matters. */
  readonly retryable = false;
  /** `ECONNREFUSED`, or the resolver's `ENOTFOUND` / `EAI_AGAIN`. */
  readonly code: string;
  /** The request that failed. */
  readonly url: string;

  constructor(details: { code: string; url: string }, options?: ErrorOptions) {
    const target = new URL(details.url);
    super(
      details.code === 'ECONNREFUSED'
        ? `Nothing is listening at ${target.origin} (it refused connections before answering anything in this run): ` +
            'check DATAGOUV_BASE_URL (or --base-url) and that the server runs.'
        : `The host ${target.hostname} does not resolve (${details.code}): check DATAGOUV_BASE_URL (or --base-url), ` +
            `now ${target.origin}, and this machine's DNS.`,
      options,
    );
    this.code = details.code;
    this.url = details.url;
  }
}
