// Helpers shared by the fake's own tests: typed JSON fetches and fixture key sets (touches HTTP).
import { readFixture } from '../../src/fake-datagouv/fixtures.ts';

export type Obj = Record<string, unknown>;

export interface Got {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<Got> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // HTML gateway errors stay text
  }
  return { status: res.status, headers: res.headers, body };
}

export function asObj(value: unknown): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  return value as Obj;
}

export function asList(value: unknown): Obj[] {
  if (!Array.isArray(value)) throw new Error('expected an array');
  return value.map(asObj);
}

/** The data array of an envelope. */
export function dataOf(got: Got): Obj[] {
  return asList(asObj(got.body)['data']);
}

export function fixtureKeys(name: string, pick: (o: Obj) => unknown = (o) => o): string[] {
  return Object.keys(asObj(pick(asObj(readFixture(name))))).sort();
}

/** Walks every page of a listing following next_page and returns the ids in order. */
export async function walk(firstUrl: string, headers: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  let next: unknown = firstUrl;
  while (typeof next === 'string') {
    const got = await getJson(next, headers);
    if (got.status !== 200) throw new Error(`${next} answered ${got.status}`);
    ids.push(...dataOf(got).map((d) => String(d['id'])));
    next = asObj(got.body)['next_page'];
  }
  return ids;
}
