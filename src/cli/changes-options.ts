// Arguments of `changes`: moments (`2026-11-30`, `2026-11-30T08:00`, `24h`, `7d`), kinds and
// operations, checked into one filter; each bad value is refused with one sentence. Pure.
import { InvalidArgumentError } from 'commander';
import ms from 'ms';
import type { ChangeSelection } from '../db/sql/select-changes.ts';
import { CliError } from './errors.ts';

/** Entity types of DESIGN §1, in `changes.entity_type` (a literal: the CLI's start-up does not load
 * the kinds; analysts.test.ts checks it against them). */
export const ENTITY_TYPES = ['organization', 'dataset', 'resource', 'reuse', 'user', 'dataservice'] as const;
export const OPS = ['insert', 'update', 'delete', 'restore'] as const;
export const FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;

export type Op = (typeof OPS)[number];
export type Format = (typeof FORMATS)[number];

/** What `changes` selects: the query's selection, with the operation checked. */
export type ChangesFilter = Omit<ChangeSelection, 'op'> & { op?: Op };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const DURATION = /^\d+(\.\d+)?\s*[a-z]+$/i;

/** A moment as typed: a UTC date, an ISO date-time (naive = UTC), or a duration back from `now`. */
export function parseMoment(value: string, bound: 'since' | 'until', now = new Date()): { at: Date; inclusive: boolean } {
  const text = value.trim();
  if (DATE.test(text)) {
    const day = new Date(`${text}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text) throw invalidMoment(value);
    // A date is its whole UTC day: --since from its first instant, --until to its last.
    return bound === 'since' ? { at: day, inclusive: true } : { at: new Date(day.getTime() + 86_400_000), inclusive: false };
  }
  if (DATETIME.test(text)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
    const at = new Date(zoned.replace(' ', 'T'));
    if (Number.isNaN(at.getTime())) throw invalidMoment(value);
    return { at, inclusive: true };
  }
  if (DURATION.test(text)) {
    const span = ms(text as ms.StringValue);
    if (typeof span === 'number' && Number.isFinite(span) && span > 0) return { at: new Date(now.getTime() - span), inclusive: true };
  }
  throw invalidMoment(value);
}

function invalidMoment(value: string): InvalidArgumentError {
  return new InvalidArgumentError(`expected a date (2026-11-30), a date and time (2026-11-30T08:00, UTC unless a zone is given) or a duration back from now (24h, 7d, 2w); got "${value}".`);
}

/** `--kind`: an entity type, singular or plural (`datasets` is `dataset`). */
export function parseKind(value: string): string {
  const text = value.trim().toLowerCase();
  const singular = text.endsWith('s') ? text.slice(0, -1) : text;
  if ((ENTITY_TYPES as readonly string[]).includes(singular)) return singular;
  throw new InvalidArgumentError(`expected one of ${ENTITY_TYPES.join(', ')}; got "${value}".`);
}

/** `--field`: a top-level key, as in `changed_fields`. */
export function parseField(value: string): string {
  if (value.trim() === '' || value.includes('/')) throw new InvalidArgumentError(`expected a top-level key such as title or tags; got "${value}".`);
  return value.trim();
}

/** `--id`, `--org`: an id, not blank. */
export function parseId(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected an id; got an empty value.');
  return value.trim();
}

export interface ChangesArgs {
  since?: string;
  until?: string;
  kind?: string;
  id?: string;
  org?: string;
  field?: string;
  op?: Op;
  limit?: number;
  stamps?: boolean;
}

/** The filter of the typed arguments; throws a CliError (one sentence) when they contradict each other. */
export function changesFilter(args: ChangesArgs, now = new Date()): ChangesFilter {
  const since = args.since === undefined ? undefined : parseMoment(args.since, 'since', now).at;
  const until = args.until === undefined ? undefined : parseMoment(args.until, 'until', now);
  if (since && until && until.at.getTime() <= since.getTime()) {
    throw new CliError(`--until (${until.at.toISOString()}) is not after --since (${since.toISOString()}): nothing can match.`);
  }
  if (args.field && args.op && args.op !== 'update' && args.op !== 'restore') {
    throw new CliError(`--field goes with updates and restores (an ${args.op} has no changed field of its own); drop --op or the field.`);
  }
  return {
    since,
    until,
    kind: args.kind,
    id: args.id,
    organization: args.org,
    field: args.field,
    op: args.op,
    stamps: Boolean(args.stamps),
    limit: args.limit,
  };
}
