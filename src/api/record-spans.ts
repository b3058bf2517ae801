// Where each record of a JSON body sits in the bytes received: a record's hash is then taken of its
// own bytes instead of serializing the parsed record again (a JSON.stringify of every record and of
// every embedded child was the largest cost of an unchanged re-sync after parsing). Pure.
//
// The records of a body are the elements of its `data` array (a listing page) or the body itself (an
// item), and the elements of their array members (a dataset's resources). Equal bytes parse into equal
// values, so a hash of the bytes is as sound as a hash of the serialized record; a record whose span is
// unknown (a body with NUL characters, which parsing rewrites, or a structure the scan does not expect)
// is hashed from its serialization instead. The hashes are taken as the body is read. A record of a
// body that is valid UTF-8 also keeps its span, so that its own text can be sent to PostgreSQL as raw
// (`rawTextOf`): it holds its page's bytes alive as long as it lives itself, until its page is stored.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';

/** A record's bytes, and where the values of its array members are (by key, the last one of a
 * repeated key: the one parsing keeps). */
export interface RecordSpan {
  bytes: Uint8Array;
  start: number;
  end: number;
  arrays: ReadonlyMap<string, { start: number; end: number }>;
  /** A record's members in their order (a child's are not listed: none of its members is cut). */
  members: readonly Member[];
}

/** How records are hashed from their bytes: a prefix (the hash's version), and the array members that
 * are children hashed on their own (cut out of their parent's hash, each hashed with its parent's id). */
export interface SpanHashing {
  prefix: string;
  childFields: readonly string[];
}

/** A record's hash, and what it was taken with: the parent id (children) and the members cut out. */
export interface SpanHash {
  parentId: string | null;
  /** The child fields cut out, sorted, comma-separated. */
  omit: string;
  hash: string;
}

let hashing: SpanHashing | undefined;

/** Set once by the harvesting code (its kinds know the child fields, its fingerprint the version). */
export function hashRecordsAs(settings: SpanHashing): void {
  hashing = settings;
}

/** Hashes by record object, taken when the body is read: no record keeps its page's bytes alive. */
const hashes = new WeakMap<object, SpanHash>();

export function spanHashOf(record: unknown): SpanHash | undefined {
  return record !== null && typeof record === 'object' ? hashes.get(record) : undefined;
}

/** The spans of records whose body is valid UTF-8, for `rawTextOf`. Kept only while the record lives. */
const rawSpans = new WeakMap<object, RecordSpan>();

/**
 * The record's text as the API sent it without its child fields (`omit`, those it has), as UTF-8 chunks
 * of its body: what PostgreSQL would get from `JSON.stringify` of the record without them, with no
 * serializing nor encoding (and numbers with the API's digits). Undefined when the bytes are unknown (a
 * body with NUL characters, which parsing rewrote, or one that is not valid UTF-8), or when the child
 * fields to leave out are not one array member met once (a repeated key, a child field that is not an
 * array, two child fields).
 */
export function rawTextOf(record: unknown, omit: readonly string[]): Uint8Array[] | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const span = rawSpans.get(record);
  if (!span) return undefined;
  const { bytes, start, end } = span;
  const present = omit.filter((key) => Object.hasOwn(record, key));
  if (present.length === 0) return [bytes.subarray(start, end)];
  // One child field, an array member, met once: the parsed record has as many keys as members scanned.
  if (present.length > 1 || span.members.length !== Object.keys(record).length) return undefined;
  const index = span.members.findIndex((m) => m.key === present[0]);
  if (index < 0) return undefined;
  const cut = memberCut(span.members, index);
  return [bytes.subarray(start, cut.start), bytes.subarray(cut.end, end)];
}

/** The bytes of the member at `index` with the comma that joins it to a neighbour: `{a, M, b}` loses
 * `M, ` and `{a, M}` loses `, M`. */
function memberCut(members: readonly Member[], index: number): { start: number; end: number } {
  const member = members[index]!;
  if (index < members.length - 1) return { start: member.keyStart, end: members[index + 1]!.keyStart };
  if (index > 0) return { start: members[index - 1]!.end, end: member.end };
  return { start: member.keyStart, end: member.end };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const decoder = new TextDecoder('utf-8');

class ScanError extends Error {
  override name = 'ScanError';
}

function skipSpace(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** `i` at an opening quote: the index after the closing one. A byte loop: most strings are short, and
 * no byte of a multi-byte UTF-8 character is a quote or a backslash. */
function skipString(b: Uint8Array, i: number): number {
  const n = b.length;
  for (i++; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i++;
  }
  throw new ScanError('unterminated string');
}

/** Any value from `i`, without recursion (a value nested thousands of levels deep is fine): its end. */
function skipValue(b: Uint8Array, i: number): number {
  const first = b[i];
  if (first === QUOTE) return skipString(b, i);
  if (first !== 0x7b && first !== 0x5b) {
    while (i < b.length) {
      const c = b[i]!;
      if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
      i++;
    }
    return i;
  }
  let depth = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c === QUOTE) {
      i = skipString(b, i);
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new ScanError('unterminated value');
}

interface Element {
  start: number;
  end: number;
  /** An object element's members, when its array was scanned deep. */
  members?: Member[];
}

interface Member {
  key: string | null;
  /** Where its key's opening quote is. */
  keyStart: number;
  start: number;
  end: number;
  /** The elements of an array value (listed at depth 1 and more). */
  elements?: Element[];
}

/**
 * The members of the object at `i`, and its end, in one pass over its bytes. `depth` 1: the members
 * whose value is an array are decoded (key) and listed (elements); depth 2: the object elements of
 * those arrays are scanned at depth 1 too (a listing page: its `data`, and each record's members).
 * Other values are skipped.
 */
function scanObject(b: Uint8Array, i: number, depth: number): { end: number; members: Member[] } {
  if (b[i] !== 0x7b) throw new ScanError('not an object');
  const members: Member[] = [];
  i = skipSpace(b, i + 1);
  if (b[i] === 0x7d) return { end: i + 1, members };
  for (;;) {
    if (b[i] !== QUOTE) throw new ScanError('expected a key');
    const keyStart = i;
    const keyEnd = skipString(b, i);
    i = skipSpace(b, keyEnd);
    if (b[i] !== 0x3a) throw new ScanError('expected a colon');
    const start = skipSpace(b, i + 1);
    if (b[start] === 0x5b) {
      const { end, elements } = scanArray(b, start, depth - 1);
      members.push({ key: JSON.parse(decoder.decode(b.subarray(keyStart, keyEnd))) as string, keyStart, start, end, elements });
      i = end;
    } else {
      i = skipValue(b, start);
      members.push({ key: null, keyStart, start, end: i });
    }
    i = skipSpace(b, i);
    if (b[i] === 0x2c) {
      i = skipSpace(b, i + 1);
      continue;
    }
    if (b[i] === 0x7d) return { end: i + 1, members };
    throw new ScanError('expected a comma or a closing brace');
  }
}

/** The elements of the array at `i`, and its end; object elements scanned at `depth` when above 0. */
function scanArray(b: Uint8Array, i: number, depth: number): { end: number; elements: Element[] } {
  if (b[i] !== 0x5b) throw new ScanError('not an array');
  const elements: Element[] = [];
  i = skipSpace(b, i + 1);
  if (b[i] === 0x5d) return { end: i + 1, elements };
  for (;;) {
    const start = i;
    if (depth > 0 && b[start] === 0x7b) {
      const scanned = scanObject(b, start, depth);
      elements.push({ start, end: scanned.end, members: scanned.members });
      i = scanned.end;
    } else {
      i = skipValue(b, start);
      elements.push({ start, end: i });
    }
    i = skipSpace(b, i);
    if (b[i] === 0x2c) {
      i = skipSpace(b, i + 1);
      continue;
    }
    if (b[i] === 0x5d) return { end: i + 1, elements };
    throw new ScanError('expected a comma or a closing bracket');
  }
}

/** The last member of each key, as parsing keeps it. */
function lastByKey(members: Member[]): Map<string, Member> {
  const out = new Map<string, Member>();
  for (const m of members) if (m.key !== null) out.set(m.key, m);
  return out;
}

/** A child's span: its own array members are not children (only a record's are cut out). */
const NO_ARRAYS: ReadonlyMap<string, { start: number; end: number }> = new Map();
const NO_MEMBERS: readonly Member[] = [];

/** Spans of a record object (scanned at depth 1) and of its array members' object elements. */
function spansOfRecord(b: Uint8Array, start: number, end: number, members: Member[], record: unknown, into: Map<object, RecordSpan>): void {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return;
  const arrays = new Map<string, { start: number; end: number }>();
  into.set(record, { bytes: b, start, end, arrays, members }); // before its children: a parent is met first
  for (const [key, m] of lastByKey(members)) {
    arrays.set(key, { start: m.start, end: m.end });
    const children = (record as Record<string, unknown>)[key];
    const elements = m.elements;
    if (!elements || !Array.isArray(children) || !Object.hasOwn(record, key) || elements.length !== children.length) continue;
    elements.forEach((element, j) => {
      const child = children[j];
      if (child !== null && typeof child === 'object' && !Array.isArray(child) && b[element.start] === 0x7b) {
        into.set(child, { bytes: b, start: element.start, end: element.end, arrays: NO_ARRAYS, members: NO_MEMBERS });
      }
    });
  }
}

/** Where the records of a parsed body are in its bytes: the `data` elements (or the body itself) and
 * the object elements of their array members. A body the scan does not follow gives none. */
export function recordSpans(bytes: Uint8Array, body: unknown): Map<object, RecordSpan> {
  const out = new Map<object, RecordSpan>();
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return out;
  try {
    const start = skipSpace(bytes, 0);
    const data = (body as Record<string, unknown>)['data'];
    if (!Array.isArray(data) || !Object.hasOwn(body, 'data')) {
      const { end, members } = scanObject(bytes, start, 1);
      spansOfRecord(bytes, start, end, members, body, out);
      return out;
    }
    const elements = lastByKey(scanObject(bytes, start, 2).members).get('data')?.elements;
    if (!elements || elements.length !== data.length) return out;
    elements.forEach((element, i) => {
      if (element.members) spansOfRecord(bytes, element.start, element.end, element.members, data[i], out);
    });
    return out;
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    return new Map();
  }
}

function digest(settings: SpanHashing, span: RecordSpan, parentId: string | null, cuts: Array<{ start: number; end: number }>): string {
  const h = createHash('sha1').update(settings.prefix);
  if (parentId !== null) h.update(`${parentId}\u0000`);
  let at = span.start;
  for (const cut of cuts) {
    h.update(span.bytes.subarray(at, cut.start));
    at = cut.end;
  }
  return h.update(span.bytes.subarray(at, span.end)).digest('base64url');
}

/** Hashes the records of a parsed body from their bytes, as `hashRecordsAs` says: a record with its
 * child fields' arrays cut out, each object of those arrays with the record's id. Records the scan
 * does not find get no hash (they are hashed from their serialization). */
export function hashRecordSpans(bytes: Uint8Array, body: unknown): void {
  const settings = hashing;
  if (!settings) return;
  const spans = recordSpans(bytes, body);
  const children = new Set<object>();
  // Bytes a decoder had to replace are not the text that was parsed: no raw text of such a body.
  const wellFormed = isUtf8(bytes);
  for (const [record, span] of spans) {
    if (wellFormed) rawSpans.set(record, span);
    if (children.has(record)) continue;
    const fields = settings.childFields.filter((key) => span.arrays.has(key) && Array.isArray((record as Record<string, unknown>)[key])).sort();
    const cuts = fields.map((key) => span.arrays.get(key)!).sort((a, b) => a.start - b.start);
    hashes.set(record, { parentId: null, omit: fields.join(), hash: digest(settings, span, null, cuts) });
    const id = (record as Record<string, unknown>)['id'];
    for (const key of fields) {
      for (const child of (record as Record<string, unknown>)[key] as unknown[]) {
        const childSpan = child !== null && typeof child === 'object' ? spans.get(child) : undefined;
        if (!childSpan) continue;
        children.add(child as object);
        if (typeof id === 'string') hashes.set(child as object, { parentId: id, omit: '', hash: digest(settings, childSpan, id, []) });
      }
    }
  }
}
