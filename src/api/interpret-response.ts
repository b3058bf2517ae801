// Turns a fully read HTTP answer into an HttpResponse or a typed error. Pure.
import { HttpError, MalformedResponseError } from './errors/index.ts';
import { stripNulCharacters } from './nul-characters.ts';
import { hashRecordSpans } from './record-spans.ts';
import { isRetryableStatus, parseRetryAfter } from './retry-policy.ts';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  bytes: Uint8Array;
}

export interface HttpResponse {
  status: number;
  /** The URL requested (with query), never containing the API key. */
  url: string;
  /** Parsed JSON for 2xx; for an allowed error status, parsed JSON or the raw text when not JSON. */
  body: unknown;
  headers: Headers | Record<string, string>;
  /** Body size in bytes as received. */
  bytes: number;
}

export interface InterpretContext {
  url: string;
  allowStatus?: number[] | undefined;
  /** Throws (a retryable MalformedResponseError to have the attempt retried) when a 2xx body has the wrong shape. */
  validate?: ((body: unknown, url: string) => void) | undefined;
  /** Take the records' hashes of the body's bytes (record-spans.ts). */
  recordHashes?: boolean | undefined;
  /** Removes secrets from text that may end up in an error message. */
  redact: (text: string) => string;
  maxRetryAfterMs: number;
}

const SNIPPET_LENGTH = 300;
const decoder = new TextDecoder('utf-8');

export function interpretResponse(raw: RawResponse, ctx: InterpretContext): HttpResponse {
  const base = { status: raw.status, url: ctx.url, headers: raw.headers, bytes: raw.bytes.byteLength };
  const text = decodeBody(raw.bytes, ctx.url);
  if (raw.status >= 200 && raw.status < 300) {
    const parsed = raw.status === 204 ? { body: null, stripped: false } : parseJsonBody(text, ctx.url);
    const body = parsed.body;
    // Stripping NUL rewrites what was parsed: such a body's records are hashed from their serialization.
    if (ctx.recordHashes && !parsed.stripped) hashRecordSpans(raw.bytes, body);
    ctx.validate?.(body, ctx.url);
    return { ...base, body };
  }
  if (ctx.allowStatus?.includes(raw.status)) return { ...base, body: parseLenient(text) };
  throw new HttpError({
    status: raw.status,
    url: ctx.url,
    bodySnippet: ctx.redact(text.slice(0, SNIPPET_LENGTH)).replace(/\s+/g, ' ').trim(),
    retryable: isRetryableStatus(raw.status),
    // Only 429 and 503 give Retry-After a meaning (RFC 9110 §10.2.3 also lists 3xx, which we do not follow).
    retryAfterMs:
      raw.status === 429 || raw.status === 503 ? parseRetryAfter(raw.headers['retry-after'], ctx.maxRetryAfterMs) : undefined,
  });
}

/** PostgreSQL text and jsonb cannot hold U+0000: it is dropped from every string and key of a body
 * that has one (see nul-characters.ts), the only change the mirror makes to what the API said. A body
 * without a `\u0000` escape has no NUL, and is not walked. */
function parseJsonBody(text: string, url: string): { body: unknown; stripped: boolean } {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (error) {
    throw new MalformedResponseError({ url, problem: describeNonJson(text) }, { cause: error });
  }
  return text.includes('\\u0000') ? { body: stripNulCharacters(body), stripped: true } : { body, stripped: false };
}

/** V8 strings stop at about 512 MiB: a bigger answer is a lost page or item, not a crashed run. */
function decodeBody(bytes: Uint8Array, url: string): string {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    const problem = `a body of ${bytes.byteLength} bytes, too large to decode`;
    throw new MalformedResponseError({ url, problem, retryable: false }, { cause: error });
  }
}

function describeNonJson(text: string): string {
  if (text.length === 0) return 'empty body';
  // A proxy or maintenance page answering 200.
  if (/^\s*</.test(text)) return `HTML instead of JSON, ${text.length} characters`;
  return `not JSON after ${text.length} characters`;
}

/** Error pages may be HTML (proxies): keep the text rather than failing on an answer we accepted. */
function parseLenient(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
