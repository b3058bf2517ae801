// Unit tests of the retry policy and circuit breaker: pure functions, no I/O.
import { describe, expect, it } from 'vitest';
import { createRefusalCircuit } from '../../src/api/circuit-breaker.ts';
import { BannedError, HttpError, MalformedResponseError, NetworkError, UnreachableError } from '../../src/api/errors/index.ts';
import {
  backoffFloorMs,
  extraRetryAfterWaitMs,
  isRetryableError,
  isRetryableStatus,
  networkErrorCode,
  parseRetryAfter,
} from '../../src/api/retry-policy.ts';

const backoff = { minTimeout: 100, maxTimeout: 1000, factor: 2 };

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => expect(parseRetryAfter('3', 60_000)).toBe(3000));
  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', 60_000, now)).toBe(10_000);
  });
  it('caps long waits and ignores past dates and garbage', () => {
    expect(parseRetryAfter('3600', 120_000)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', 1000)).toBe(0);
    expect(parseRetryAfter('soon', 1000)).toBeUndefined();
    expect(parseRetryAfter(undefined, 1000)).toBeUndefined();
  });
});

describe('retryability', () => {
  it('retries 429 and 5xx except 501, never other 4xx', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 410, 501].some(isRetryableStatus)).toBe(false);
  });
  it('retries network and malformed-body errors but never a ban or an unknown error', () => {
    expect(isRetryableError(new NetworkError({ code: 'ECONNRESET', url: 'u' }))).toBe(true);
    expect(isRetryableError(new MalformedResponseError({ url: 'u', problem: 'p' }))).toBe(true);
    expect(isRetryableError(new HttpError({ status: 404, url: 'u', bodySnippet: '', retryable: false }))).toBe(false);
    expect(isRetryableError(new BannedError(5))).toBe(false);
    expect(isRetryableError(new Error('bug'))).toBe(false);
  });
  it('finds the code of a dual-stack connect failure inside an AggregateError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(networkErrorCode(new AggregateError([refused]))).toBe('ECONNREFUSED');
    expect(networkErrorCode(new Error('plain'))).toBeUndefined();
  });
});

describe('Retry-After on top of the backoff', () => {
  it('waits only what the backoff floor does not cover', () => {
    expect(backoffFloorMs(0, backoff)).toBe(100);
    expect(backoffFloorMs(5, backoff)).toBe(1000);
    const throttled = new HttpError({ status: 429, url: 'u', bodySnippet: '', retryable: true, retryAfterMs: 1000 });
    expect(extraRetryAfterWaitMs(throttled, 0, backoff)).toBe(900);
    expect(extraRetryAfterWaitMs(throttled, 5, backoff)).toBe(0);
    expect(extraRetryAfterWaitMs(new Error('x'), 0, backoff)).toBe(0);
  });
});

describe('refusal circuit', () => {
  it('opens after N consecutive refusals and an answer in between resets the count', () => {
    const circuit = createRefusalCircuit(2);
    expect(circuit.recordRefusal(new Error('r'), 'http://127.0.0.1:9/x')).toBeUndefined();
    circuit.recordAnswer();
    expect(circuit.recordRefusal(new Error('r'), 'http://127.0.0.1:9/x')).toBeUndefined();
    expect(circuit.recordRefusal(new Error('r'), 'http://127.0.0.1:9/x')).toBeInstanceOf(BannedError);
    expect(() => circuit.assertClosed()).toThrow(BannedError);
    circuit.recordAnswer();
    expect(() => circuit.assertClosed()).toThrow(/IP ban/);
  });

  it('before any answer, refusals and unresolved names mean a wrong address, never a ban', () => {
    const circuit = createRefusalCircuit(2, { unreachableAfter: 3 });
    const url = 'http://127.0.0.1:9/api/1/datasets/';
    expect(circuit.recordRefusal(new Error('r'), url)).toBeUndefined();
    expect(circuit.recordUnresolved('EAI_AGAIN', new Error('d'), url)).toBeUndefined();
    const error = circuit.recordRefusal(new Error('r'), url);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', retryable: false });
    expect(() => circuit.assertClosed()).not.toThrow();
    expect(isRetryableError(error)).toBe(false);
    // Once the host has answered, a resolver hiccup is retried and refusals count towards a ban.
    circuit.recordAnswer();
    expect(circuit.recordUnresolved('ENOTFOUND', new Error('d'), url)).toBeUndefined();
    expect(circuit.recordRefusal(new Error('r'), url)).toBeUndefined();
    expect(circuit.recordRefusal(new Error('r'), url)).toBeInstanceOf(BannedError);
  });
});
