// Timestamp formatting in the shapes data.gouv.fr emits, and the catalog clock (pure).

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Civil date from days since 1970 (H. Hinnant's algorithm): formatting millions of stamps without Date objects. */
function civil(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${pad(m)}-${pad(d)}`;
}

function parts(ms: number): { date: string; time: string; micro: string } {
  const t = Math.floor(ms);
  const days = Math.floor(t / 86_400_000);
  const rest = t - days * 86_400_000;
  const sec = Math.floor(rest / 1000);
  const time = `${pad(Math.floor(sec / 3600))}:${pad(Math.floor(sec / 60) % 60)}:${pad(sec % 60)}`;
  return { date: civil(days), time, micro: `${pad(rest % 1000, 3)}000` };
}

/** `2019-06-26T19:17:42.238000+00:00`, the most common form. */
export function isoStamp(ms: number): string {
  const p = parts(ms);
  return `${p.date}T${p.time}.${p.micro}+00:00`;
}

/** `2026-09-03T12:19:58+00:00`, no fraction (harvest dates, some remote dates). */
export function isoSeconds(ms: number): string {
  const p = parts(ms);
  return `${p.date}T${p.time}+00:00`;
}

/** `2025-08-06T13:46:55.423000`, naive (member last_login_at, check:date). */
export function naiveStamp(ms: number): string {
  const p = parts(ms);
  return `${p.date}T${p.time}.${p.micro}`;
}

/** `2023-12-31`, date only (temporal_coverage). */
export function dateOnly(ms: number): string {
  return parts(ms).date;
}

/** `2025-08`, the keys of `*_by_months` metrics. */
export function monthKey(ms: number): string {
  return parts(ms).date.slice(0, 7);
}

/** Milliseconds of a stamp, or NaN; naive stamps are read as UTC. */
export function stampMs(value: unknown): number {
  if (typeof value !== 'string') return Number.NaN;
  const naive = /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value);
  return Date.parse(naive ? `${value}Z` : value);
}

export const DAY_MS = 86_400_000;
/** Generated history starts here (data.gouv.fr opened in 2013). */
export const HISTORY_START_MS = Date.UTC(2013, 4, 1);
/** The catalog clock starts on this day plus a seed-derived offset; generated stamps are all earlier. */
export const CLOCK_BASE_MS = Date.UTC(2026, 8, 1);

/** Monotonic clock of catalog mutations: each tick advances at least one second. */
export class CatalogClock {
  private ms: number;
  private ticks = 0;
  constructor(startMs: number) {
    this.ms = startMs;
  }
  nowMs(): number {
    return this.ms;
  }
  now(): string {
    return isoStamp(this.ms);
  }
  /** Advance by 1 s plus a deterministic sub-second part, and return the new stamp. */
  tick(): string {
    this.ticks += 1;
    this.ms += 1000 + ((this.ticks * 137) % 1000);
    return isoStamp(this.ms);
  }
}
