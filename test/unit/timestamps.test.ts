import { describe, expect, it } from 'vitest';
import { parseDate, parseTimestamp, parseTimestampWithDate } from '../../src/api/timestamps.ts';

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

describe('the UTC shortcut', () => {
  it('gives what Date gives, for every form, valid or not', () => {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    const values: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const year = [0, 1, 99, 1900, 2000, 2023, 2024, 2100, 9999][rand(9)]!;
      const date = `${pad(year, 4)}-${pad(rand(14))}-${pad(rand(33))}`;
      const time = `${pad(rand(26))}:${pad(rand(62))}:${pad(rand(62))}`;
      const fraction = ['', '.5', '.23', '.238', '.238000', '.9999999'][rand(6)]!;
      const zone = ['', 'Z', '+00:00', '-00:00', '+0000', '+02:00', '-05:30', 'z'][rand(8)]!;
      const separator = ['T', ' ', 't'][rand(3)]!;
      values.push(date, `${date}${separator}${time}${fraction}${zone}`, `${date}T${time.slice(0, 5)}${zone}`);
    }
    const differing = values.filter((v) => parseTimestamp(v) !== parseTimestampWithDate(v));
    expect(differing).toEqual([]);
    // The sample reaches both sides of the shortcut.
    expect(values.filter((v) => parseTimestamp(v) !== undefined).length).toBeGreaterThan(10_000);
    expect(values.filter((v) => parseTimestamp(v) === undefined).length).toBeGreaterThan(10_000);
  });
});
