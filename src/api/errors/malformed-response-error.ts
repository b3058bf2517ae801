// MalformedResponseError: a 2xx body that is not the JSON we expect (truncated, HTML, bad envelope). Pure.

export class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
  readonly url: string;
  /** Truncated bodies are transient (retry); a stable wrong shape is not worth many retries, the caller decides. */
  readonly retryable: boolean;

  constructor(details: { url: string; problem: string; retryable?: boolean }, options?: ErrorOptions) {
    super(
      `GET ${details.url} returned a malformed body (${details.problem}): usually a truncated or proxy-error response, retried; ` +
        'if it persists the API format changed and the schema needs updating.',
      options,
    );
    this.url = details.url;
    this.retryable = details.retryable ?? true;
  }
}
