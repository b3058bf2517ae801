// Lenient timestamp parsing for API values: naive means UTC, date-only stays a date. Pure.
import { z } from 'zod';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/** The shape of nearly every API timestamp: naive or UTC, seconds given (`2019-06-26T19:17:42.238000+00:00`). */
const UTC_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|[+-]00:?00)?$/;

/** An ISO-8601 timestamp as a UTC ISO string, or undefined when the value is not one. A naive or UTC
 * value with valid fields is rewritten as text (no Date: a full sync parses about 100,000 of them);
 * anything else goes through `parseTimestampWithDate`, whose results it always equals. */
export function parseTimestamp(value: string): string | undefined {
  const m = UTC_DATETIME.exec(value);
  if (m && isCalendarDay(m[1]!, m[2]!, m[3]!) && m[4]! <= '23' && m[5]! <= '59' && m[6]! <= '59') {
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7] === undefined ? '000' : `${m[7]}00`.slice(0, 3)}Z`;
  }
  if (ISO_DATE.test(value) && isCalendarDay(value.slice(0, 4), value.slice(5, 7), value.slice(8, 10))) return `${value}T00:00:00.000Z`;
  return parseTimestampWithDate(value);
}

/** A day of the proleptic Gregorian calendar between years 1 and 9999 (Date rolls 02-30 over to March). */
function isCalendarDay(year: string, month: string, day: string): boolean {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);
}

/** The general path: any offset, minutes without seconds, Date's leniency (02-30 is March 1st). */
export function parseTimestampWithDate(value: string): string | undefined {
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
