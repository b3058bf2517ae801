// The lost-connection retry of a run's database calls: which errors are a lost connection, and that
// only those are retried, until the deadline. Pure apart from timers.
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, isConnectionLoss, withConnectionRetry } from '../../src/db/retry.ts';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('isConnectionLoss', () => {
  it.for(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'ECONNREFUSED', 'ECONNRESET', '57P01', '57P02', '57P03', '08006'])('counts %s as a lost connection', (code) => {
    expect(isConnectionLoss(coded(code))).toBe(true);
  });
  it.for(['23505', '22P02', '40001', 'ENOTFOUND', '42P01'])('does not count %s', (code) => {
    expect(isConnectionLoss(coded(code))).toBe(false);
  });
  it('does not count an error without a code', () => expect(isConnectionLoss(new TypeError('x'))).toBe(false));
});

describe('withConnectionRetry', () => {
  it('runs the call again after lost connections and returns its result', async () => {
    let attempts = 0;
    const result = await withConnectionRetry(async () => {
      attempts++;
      if (attempts < 3) throw coded(attempts === 1 ? 'CONNECTION_CLOSED' : 'ECONNREFUSED');
      return 'stored';
    }, { deadlineMs: 5_000, minDelayMs: 1 });
    expect({ result, attempts }).toEqual({ result: 'stored', attempts: 3 });
  });

  it('does not retry an error of the statement itself', async () => {
    let attempts = 0;
    const refused = coded('23505', 'duplicate key');
    await expect(withConnectionRetry(async () => {
      attempts++;
      throw refused;
    }, { deadlineMs: 5_000, minDelayMs: 1 })).rejects.toBe(refused);
    expect(attempts).toBe(1);
  });

  it('gives up after the deadline with the last cause in one sentence', async () => {
    const error = await withConnectionRetry(async () => {
      throw coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
    }, { deadlineMs: 50, minDelayMs: 5, what: 'storing a page' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(/^PostgreSQL could not be reached for \d+ s while storing a page: connect ECONNREFUSED 127\.0\.0\.1:5432$/);
  });

  it('stops waiting when its signal aborts, with the signal\'s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted (SIGINT)');
    const pending = withConnectionRetry(async () => {
      controller.abort(reason);
      throw coded('ECONNREFUSED');
    }, { deadlineMs: 60_000, minDelayMs: 10_000, signal: controller.signal });
    await expect(pending).rejects.toBe(reason);
  });
});
