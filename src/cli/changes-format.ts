// `changes` output: each change row as lines of one changed field each (an insert or a delete as one
// line holding the whole object), printed old → new for a person or as JSON, NDJSON or CSV. Pure.
import { stringify } from 'csv-stringify/sync';
import type { ChangeRecord } from '../db/sql/select-changes.ts';
import { STAMP_KEYS } from '../harvest/change-values.ts';
import { table } from './format.ts';

/** One line of output: the `field_changes` columns, with the change's organization and reason. */
export interface ChangeLine {
  change_id: number;
  run_id: number;
  observed_at: string;
  entity_type: string;
  entity_id: string;
  organization_id: string | null;
  op: ChangeRecord['op'];
  /** Null for an insert, a delete and a restore that changed nothing: the line holds the whole object. */
  field: string | null;
  /** The field is a modification stamp (shown with --stamps). */
  stamp: boolean;
  old_value: unknown;
  new_value: unknown;
  /** Where both values are arrays: elements only in the new / only in the old one. */
  added: unknown[] | null;
  removed: unknown[] | null;
  deletion_reason: string | null;
}

/** JSON with object keys sorted: equal values, equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Elements of `a` that `b` does not hold (as sets, in `a`'s order). */
function only(a: unknown[], b: unknown[]): unknown[] {
  const other = new Set(b.map(canonical));
  return a.filter((e) => !other.has(canonical(e)));
}

const valueOf = (values: Record<string, unknown> | null, key: string): unknown =>
  values && Object.hasOwn(values, key) ? values[key] : null;

/** The lines of one change; `field` keeps only that field's line, `stamps` adds the stamps' lines. */
export function linesOf(c: ChangeRecord, options: { field?: string; stamps: boolean }): ChangeLine[] {
  const base = {
    change_id: Number(c.id),
    run_id: Number(c.run_id),
    observed_at: c.observed_at,
    entity_type: c.entity_type,
    entity_id: c.entity_id,
    organization_id: c.organization_id,
    op: c.op,
    deletion_reason: c.deletion_reason,
  };
  const whole = (old_value: unknown, new_value: unknown): ChangeLine[] => [
    { ...base, field: null, stamp: false, old_value, new_value, added: null, removed: null },
  ];
  if (c.op === 'insert') return whole(null, c.new_values);
  if (c.op === 'delete') return whole(c.old_values, null);
  const showStamps = options.stamps || (options.field !== undefined && STAMP_KEYS.has(options.field));
  const fields = [...c.changed_fields, ...(showStamps ? c.stamp_fields : [])].filter((f) => options.field === undefined || f === options.field);
  if (fields.length === 0 && c.op === 'restore' && options.field === undefined) return whole(null, c.new_values);
  return fields.map((field) => {
    const old_value = valueOf(c.old_values, field);
    const new_value = valueOf(c.new_values, field);
    const arrays = Array.isArray(old_value) && Array.isArray(new_value);
    return {
      ...base,
      field,
      stamp: STAMP_KEYS.has(field),
      old_value,
      new_value,
      added: arrays ? only(new_value, old_value) : null,
      removed: arrays ? only(old_value, new_value) : null,
    };
  });
}

/** A value as a person reads it on one line, cut at `max` characters. */
function shown(value: unknown, max = 40): string {
  const text = value === undefined ? 'null' : (JSON.stringify(value) ?? 'null');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `old → new`, showing where they differ: a long common start of two strings is cut, and of two
 * objects only the keys that differ are shown. */
function oldToNew(old: unknown, next: unknown, max = 40): string {
  if (typeof old === 'string' && typeof next === 'string') {
    let common = 0;
    while (common < old.length && old[common] === next[common]) common++;
    const from = common > 24 ? common - 16 : 0;
    const cut = (text: string) => (from ? `"…${JSON.stringify(text.slice(from)).slice(1)}` : JSON.stringify(text));
    const fit = (text: string) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
    return `${fit(cut(old))} → ${fit(cut(next))}`;
  }
  if (isObject(old) && isObject(next)) {
    const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].filter((k) => canonical(old[k]) !== canonical(next[k]));
    if (keys.length) return keys.map((k) => `${k}: ${oldToNew(old[k] ?? null, next[k] ?? null, 24)}`).join(', ');
  }
  return `${shown(old, max)} → ${shown(next, max)}`;
}

/** What names an entity in a line: its title, name or slug. */
function label(object: unknown): string {
  if (!object || typeof object !== 'object') return '';
  const o = object as Record<string, unknown>;
  const name = o['title'] ?? o['name'] ?? ([o['first_name'], o['last_name']].filter(Boolean).join(' ') || undefined) ?? o['slug'];
  return typeof name === 'string' ? shown(name, 60) : '';
}

function describe(line: ChangeLine): string {
  if (line.op === 'insert') return `+ ${label(line.new_value)}`.trimEnd();
  if (line.op === 'delete') {
    const name = label(line.old_value);
    return `− ${name ? `${name} ` : ''}(${line.deletion_reason ?? 'reason unknown'})`;
  }
  if (line.field === null) return `came back: ${label(line.new_value)}`.trimEnd();
  if (line.added && line.removed) {
    const parts = [...line.added.map((e) => `+${shown(e, 30)}`), ...line.removed.map((e) => `−${shown(e, 30)}`)];
    if (parts.length) return parts.join(' ');
  }
  return oldToNew(line.old_value, line.new_value);
}

/** Lines for a terminal: a change's columns on its first line only, then `field  old → new`. */
export function formatTable(lines: ChangeLine[]): string {
  if (lines.length === 0) return 'No changes match.';
  const rows = lines.map((line, i) => {
    const first = i === 0 || lines[i - 1]!.change_id !== line.change_id;
    const head = first ? [line.observed_at.replace(/\.\d+Z$/, 'Z'), line.entity_type, line.entity_id, line.op] : ['', '', '', ''];
    return [...head, line.field === null ? '' : `${line.field}${line.stamp ? '*' : ''}`, describe(line)];
  });
  return table(['observed_at', 'kind', 'id', 'op', 'field', 'old → new'], rows);
}

export const CSV_COLUMNS = [
  'change_id', 'run_id', 'observed_at', 'entity_type', 'entity_id', 'organization_id', 'op', 'field', 'stamp',
  'old_value', 'new_value', 'added', 'removed', 'deletion_reason',
] as const;

/** A CSV cell: empty for null, strings as they are, anything else as JSON. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function formatCsv(lines: ChangeLine[], header: boolean): string {
  const rows = lines.map((line) => CSV_COLUMNS.map((c) => csvCell(line[c])));
  return stringify(header ? [[...CSV_COLUMNS], ...rows] : rows);
}

export function formatNdjson(lines: ChangeLine[]): string {
  return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
}
