// Lenient timestamp parsing for API values: naive means UTC, date-only stays a date. Pure.
import { z } from 'zod';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/** Each value is parsed twice (schema check, then column): the second time comes from here. */
const parsed = new Map<string, string | undefined>();

/** An ISO-8601 timestamp as a UTC ISO string, or undefined when the value is not one. */
export function parseTimestamp(value: string): string | undefined {
  const known = parsed.get(value);
  if (known !== undefined || parsed.has(value)) return known;
  if (parsed.size > 20_000) parsed.clear();
  const result = parseTimestampUncached(value);
  parsed.set(value, result);
  return result;
}

function parseTimestampUncached(value: string): string | undefined {
  if (ISO_DATE.test(value)) return toIso(`${value}T00:00:00Z`);
  const match = ISO_DATETIME.exec(value);
  if (!match) return undefined;
  const [, day, time, zone] = match;
  // Python's isoformat gives microseconds; Date keeps milliseconds, which is all timestamptz needs here.
  const trimmedTime = time!.replace(/(\.\d{3})\d+$/, '$1');
  return toIso(`${day}T${trimmedTime}${zone ?? 'Z'}`);
}

/** The calendar date of a date or timestamp value (temporal coverage bounds). */
export function parseDate(value: string): string | undefined {
  if (ISO_DATE.test(value)) return toIso(`${value}T00:00:00Z`) ? value : undefined;
  const iso = parseTimestamp(value);
  return iso?.slice(0, 10);
}

function toIso(text: string): string | undefined {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  const date = new Date(ms);
  // PostgreSQL has no year 0 and the ISO string of years past 9999 is not one it reads.
  const year = date.getUTCFullYear();
  return year < 1 || year > 9999 ? undefined : date.toISOString();
}

/** Zod: a nullable, optional timestamp string that must parse; the output stays the original string. */
export const TimestampSchema = z
  .string()
  .refine((v) => parseTimestamp(v) !== undefined, { message: 'is not an ISO-8601 timestamp' })
  .nullish();

/** Zod: a nullable, optional date or timestamp string. */
export const DateSchema = z
  .string()
  .refine((v) => parseDate(v) !== undefined, { message: 'is not an ISO-8601 date' })
  .nullish();

export function timestampOrNull(value: string | null | undefined): string | null {
  return value == null ? null : (parseTimestamp(value) ?? null);
}

export function dateOrNull(value: string | null | undefined): string | null {
  return value == null ? null : (parseDate(value) ?? null);
}
