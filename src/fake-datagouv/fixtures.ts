// Loads the real recorded data.gouv.fr responses (read-only) that seed the generated catalog (reads files once).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { Json, JsonObject } from './types.ts';

/** The recorded responses live in the shared folder beside the repository (`../shared/fixtures/datagouv`);
 * DATAGOUV_FIXTURES_DIR points elsewhere. */
export const FIXTURES_DIR =
  process.env.DATAGOUV_FIXTURES_DIR ?? path.join(PACKAGE_ROOT, '..', 'shared', 'fixtures', 'datagouv');

/** The copy that ships with the package (a clone or the Docker image without the shared folder), read
 * from the sources also when the fake runs compiled from dist/. */
const SHIPPED_DIR = path.join(PACKAGE_ROOT, 'src', 'fake-datagouv', 'recorded');

export function readFixture(name: string): unknown {
  const preferred = path.join(FIXTURES_DIR, name);
  const file = existsSync(preferred) || process.env.DATAGOUV_FIXTURES_DIR ? preferred : path.join(SHIPPED_DIR, name);
  if (!existsSync(file)) {
    throw new Error(`The recorded data.gouv.fr responses are missing (${file}): put the shared folder beside the repository or set DATAGOUV_FIXTURES_DIR.`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

function asObject(value: unknown): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('fixture: expected an object');
  return value as JsonObject;
}
function asArray(value: unknown): JsonObject[] {
  if (!Array.isArray(value)) throw new Error('fixture: expected an array');
  return value.map(asObject);
}
/** Strips "[redacted]" placeholders the recorders left, so they never leak into generated data. */
function clean(value: Json): Json {
  if (Array.isArray(value)) return value.map(clean);
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) if (v !== '[redacted]') out[k] = clean(v);
    return out;
  }
  return value;
}

export interface Templates {
  datasets: JsonObject[];
  resources: JsonObject[];
  organizations: JsonObject[];
  reuses: JsonObject[];
  harvests: JsonObject[];
  /** The recorded dataservice item, placeholders stripped. */
  dataservices: JsonObject[];
  /** [first, last] names seen in the fixtures (members, owners). */
  names: Array<[string, string]>;
  datasetItem: JsonObject;
  error404: JsonObject;
}

let cached: Templates | undefined;

export function loadTemplates(): Templates {
  if (cached) return cached;
  const dump = asObject(readFixture('udata-fixtures-results.json'));
  const entries = asArray(dump['datasets']);
  const datasetItem = asObject(readFixture('dataset-item.json'));
  const item2026 = asObject(clean(asObject(readFixture('dataset-item-2026.json'))));
  const reusesPage = asObject(readFixture('reuses-page-v1.json'));
  const orgs = [asObject(readFixture('organization-item.json')), asObject(clean(asObject(readFixture('organization-item-2026.json'))))];
  const datasets: JsonObject[] = [datasetItem, item2026];
  const resources: JsonObject[] = asArray(datasetItem['resources']);
  const reuses: JsonObject[] = asArray(reusesPage['data']).map((r) => asObject(clean(r)));
  for (const e of entries) {
    datasets.push(asObject(e['dataset']));
    resources.push(...asArray(e['resources']));
    reuses.push(...asArray(e['reuses']));
    if (e['organization']) orgs.push(asObject(e['organization']));
  }
  const harvests = datasets.map((d) => d['harvest']).filter((h): h is JsonObject => h !== null && typeof h === 'object' && !Array.isArray(h));
  const names: Array<[string, string]> = [['Jean', 'Dupont'], ['Anne', 'Martin'], ['Claire', 'BERNARD']];
  cached = {
    datasets,
    resources: resources.filter((r) => typeof r['title'] === 'string'),
    // the same organization appears in several fixtures; generated names and slugs must stay unique
    organizations: orgs.filter((o, i) => orgs.findIndex((x) => x['name'] === o['name']) === i),
    reuses,
    harvests,
    dataservices: [asObject(clean(asObject(readFixture('dataservice-item-2026.json'))))],
    names,
    datasetItem,
    error404: asObject(readFixture('error-404.json')),
  };
  return cached;
}
