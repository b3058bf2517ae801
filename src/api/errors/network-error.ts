// NetworkError: no complete HTTP answer (reset, timeout, refused, DNS). Pure.

export class NetworkError extends Error {
  override name = 'NetworkError';
  /** System or undici error code (`ECONNRESET`, `UND_ERR_SOCKET`…), or `TIMEOUT` for our per-attempt deadline. */
  readonly code: string;
  readonly url: string;
  /** Network failures are transient by nature: the client retries them. */
  readonly retryable = true;

  constructor(details: { code: string; url: string }, options?: ErrorOptions) {
    const what = details.code === 'TIMEOUT' ? 'timed out' : `failed at the network level (${details.code})`;
    super(
      `GET ${details.url} ${what}: data.gouv.fr or the network is unreliable; such failures are retried with backoff, check connectivity if it persists.`,
      options,
    );
    this.code = details.code;
    this.url = details.url;
  }
}
