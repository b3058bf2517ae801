// HttpError: data.gouv.fr answered with a status the caller did not accept. Pure.

/** Why a status happened and what the operator should do about it. */
function adviceFor(status: number): string {
  if (status === 429) return 'data.gouv.fr is throttling us: lower DATAGOUV_REQUESTS_PER_SECOND / DATAGOUV_MAX_CONCURRENCY and retry later.';
  if (status >= 500) return 'data.gouv.fr failed or is overloaded: such answers are retried with backoff; if it persists, try a smaller page size.';
  if (status === 401 || status === 403) return 'the endpoint needs authentication or permissions: check DATAGOUV_API_KEY.';
  if (status === 404 || status === 410) return 'the resource does not exist (any more): check the id or path.';
  if (status === 400) return 'the request parameters were rejected: this is a bug in the caller, fix the query.';
  if (status >= 300 && status < 400) return 'the API redirected, which this client does not follow: use the target path or id.';
  return 'the request cannot succeed as is: fix it before retrying.';
}

export interface HttpErrorDetails {
  status: number;
  url: string;
  /** First characters of the response body, API key already removed. */
  bodySnippet: string;
  /** True for statuses worth retrying (429, 5xx). */
  retryable: boolean;
  /** Delay asked by a `Retry-After` header, already capped; undefined when absent. */
  retryAfterMs?: number;
}

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly url: string;
  readonly bodySnippet: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(details: HttpErrorDetails, options?: ErrorOptions) {
    const body = details.bodySnippet ? ` (${details.bodySnippet})` : '';
    super(`GET ${details.url} answered HTTP ${details.status}${body}: ${adviceFor(details.status)}`, options);
    this.status = details.status;
    this.url = details.url;
    this.bodySnippet = details.bodySnippet;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
  }
}
