import { describe, expect, it } from 'vitest';
import { parseDate, parseTimestamp } from '../../src/api/timestamps.ts';

describe('parseTimestamp', () => {
  it('keeps offsets and trims microseconds to milliseconds', () => {
    expect(parseTimestamp('2019-06-26T19:17:42.238000+00:00')).toBe('2019-06-26T19:17:42.238Z');
    expect(parseTimestamp('2026-09-03T12:19:58+02:00')).toBe('2026-09-03T10:19:58.000Z');
  });
  it('reads a naive timestamp as UTC', () => {
    expect(parseTimestamp('2025-08-06T13:46:55.423000')).toBe('2025-08-06T13:46:55.423Z');
  });
  it('reads a date-only value as midnight UTC', () => {
    expect(parseTimestamp('2023-12-31')).toBe('2023-12-31T00:00:00.000Z');
  });
  it('refuses what is not a timestamp', () => {
    expect(parseTimestamp('not a date')).toBeUndefined();
    expect(parseTimestamp('2023-13-45T99:00:00')).toBeUndefined();
  });
});

describe('parseDate', () => {
  it('keeps a date-only coverage bound as a date', () => {
    expect(parseDate('2023-12-31')).toBe('2023-12-31');
    expect(parseDate('2023-12-31T23:00:00+00:00')).toBe('2023-12-31');
    expect(parseDate('31/12/2023')).toBeUndefined();
  });
});
