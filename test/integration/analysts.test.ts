// What analysts read after a scripted day (title edit, tags replaced, checksum change, deleted,
// purged, archived, restored, organization renamed): field_changes' old and new values and tag sets,
// stamps kept out of changed_fields, deletion reasons, organizations as observed, entity_as_of and
// datasets_as_of before and after each change, and the `changes` command printing the same rows.
// Touches Postgres, HTTP and child processes.
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITY_TYPES } from '../../src/cli/changes-options.ts';
import { ENTITY_LOOKUPS } from '../../src/db/sql/insert-changes.ts';
import { KINDS_BY_TYPE } from '../../src/harvest/kinds/index.ts';
import { trackedOf } from '../../src/harvest/store-entities.ts';
import { cli, sentences } from '../support/cli-process.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { scriptDay, scriptRestore, type ScriptedDay } from '../support/scripted-day.ts';

type Row = Record<string, unknown>;

/** The tracked object of every row of a table, by id, as the mirror holds it now. */
async function trackedRows(h: Harness, type: 'dataset' | 'resource' | 'organization'): Promise<Map<string, Row>> {
  const kind = KINDS_BY_TYPE[type];
  const parent = type === 'resource' ? 'dataset_id' : 'null::text';
  const rows = await h.database.sql.unsafe<{ id: string; raw: Row; parent: string | null; live: boolean }[]>(
    `select id, raw, ${parent} as parent, deleted_at is null as live from ${kind.table}`,
  );
  return new Map(rows.filter((r) => r.live).map((r) => [r.id, trackedOf(kind, r.raw, r.parent)]));
}

const setDifference = (a: unknown[], b: unknown[]) => a.filter((x) => !b.includes(x));

describe('analysts after a scripted day', () => {
  let h: Harness;
  let day: ScriptedDay;
  const t: string[] = []; // t[0] before the first sync, t[i] after the i-th
  const runs: number[] = [];
  const snapshots: Array<{ datasets: Map<string, Row>; resources: Map<string, Row>; organizations: Map<string, Row> }> = [];
  const env = () => ({ DATABASE_URL: h.database.url, LOG_LEVEL: 'silent' });

  const syncAndSnapshot = async (mode: 'full' | 'incremental') => {
    const outcome = await h.sync({ mode });
    expect(outcome).toMatchObject({ status: 'succeeded', error: undefined });
    runs.push(outcome.runId);
    t.push(new Date().toISOString());
    snapshots.push({ datasets: await trackedRows(h, 'dataset'), resources: await trackedRows(h, 'resource'), organizations: await trackedRows(h, 'organization') });
  };

  beforeAll(async () => {
    h = await startHarness();
    t.push(new Date().toISOString());
    snapshots.push({ datasets: new Map(), resources: new Map(), organizations: new Map() });
    await syncAndSnapshot('full');
    const linked = new Set((await h.database.sql`select dataset_id from reuse_datasets`).map((r) => r.dataset_id as string));
    day = scriptDay(h.fake.catalog, linked);
    await syncAndSnapshot('incremental');
    scriptRestore(h.fake.catalog, day);
    await syncAndSnapshot('incremental');
  });
  afterAll(async () => h?.close());

  it("holds exactly the day's old and new values in field_changes, tags as sets", async () => {
    const rows = await h.database.sql`select entity_type, entity_id, op, field, old_value, new_value, added, removed, organization_id
      from field_changes where run_id = ${runs[1]!} order by entity_type, entity_id, field`;
    const tagsAdded = setDifference(day.tagged.after, day.tagged.before);
    const tagsRemoved = setDifference(day.tagged.before, day.tagged.after);
    expect(tagsAdded.length).toBeGreaterThan(0);
    expect(tagsRemoved.length).toBeGreaterThan(0);
    const orgOf = (id: string) => (snapshots[2]!.datasets.get(id)?.['organization'] as string | undefined) ?? null;
    const archivedAt = snapshots[2]!.datasets.get(day.archived.id)!['archived'];
    expect(typeof archivedAt).toBe('string');
    const expected = [
      { entity_type: 'dataset', entity_id: day.archived.id, op: 'update', field: 'archived', old_value: null, new_value: archivedAt, added: null, removed: null, organization_id: orgOf(day.archived.id) },
      { entity_type: 'dataset', entity_id: day.tagged.id, op: 'update', field: 'tags', old_value: day.tagged.before, new_value: day.tagged.after, added: tagsAdded, removed: tagsRemoved, organization_id: orgOf(day.tagged.id) },
      { entity_type: 'dataset', entity_id: day.titled.id, op: 'update', field: 'title', old_value: day.titled.before, new_value: day.titled.after, added: null, removed: null, organization_id: orgOf(day.titled.id) },
      { entity_type: 'organization', entity_id: day.renamed.id, op: 'update', field: 'name', old_value: day.renamed.before, new_value: day.renamed.after, added: null, removed: null, organization_id: day.renamed.id },
      { entity_type: 'resource', entity_id: day.checksum.resourceId, op: 'update', field: 'checksum', old_value: day.checksum.before, new_value: day.checksum.after, added: null, removed: null, organization_id: orgOf(day.checksum.datasetId) },
    ].sort((a, b) => `${a.entity_type}/${a.entity_id}/${a.field}`.localeCompare(`${b.entity_type}/${b.entity_id}/${b.field}`));
    expect(rows).toEqual(expected);
  });

  it('keeps modification stamps out of changed_fields, in stamp_fields with their values', async () => {
    const updates = await h.database.sql`select entity_type, entity_id, changed_fields, stamp_fields, old_values, new_values
      from changes where run_id = ${runs[1]!} and op = 'update'`;
    for (const u of updates) expect((u.changed_fields as string[]).filter((f) => ['internal', 'last_modified', 'last_update'].includes(f))).toEqual([]);
    const titled = updates.find((u) => u.entity_id === day.titled.id)!;
    expect(titled.changed_fields).toEqual(['title']);
    expect(titled.stamp_fields).toEqual(expect.arrayContaining(['internal']));
    const [before, after] = [snapshots[1]!.datasets.get(day.titled.id)!, snapshots[2]!.datasets.get(day.titled.id)!];
    expect(titled.old_values).toEqual(Object.fromEntries(['title', ...(titled.stamp_fields as string[])].map((k) => [k, before[k]])));
    expect(titled.new_values).toEqual(Object.fromEntries(['title', ...(titled.stamp_fields as string[])].map((k) => [k, after[k]])));
    // The checksummed resource's dataset changed only in its stamps: an update flagged as such.
    const stampOnly = updates.find((u) => u.entity_type === 'dataset' && u.entity_id === day.checksum.datasetId)!;
    expect(stampOnly.changed_fields).toEqual([]);
    expect(stampOnly.stamp_fields).toEqual(expect.arrayContaining(['internal']));
    const [perDay] = await h.database.sql`select sum(stamp_only)::int as n from changes_per_day where entity_type = 'dataset' and op = 'update'`;
    expect(perDay!.n).toBe(updates.filter((u) => u.entity_type === 'dataset' && (u.changed_fields as string[]).length === 0).length);
  });

  it('says why each delete happened, keeps the last object, and restores the whole object', async () => {
    const deletes = await h.database.sql`select entity_type, entity_id, deletion_reason, old_values, new_values, organization_id
      from changes where run_id = ${runs[1]!} and op = 'delete' order by entity_type, entity_id`;
    const purgedResources = [...snapshots[1]!.resources].filter(([, r]) => r['dataset_id'] === day.purged.id).map(([id]) => id);
    const expectedReasons = Object.fromEntries([
      [`dataset/${day.deleted.id}`, 'deleted'], [`dataset/${day.purged.id}`, 'not_found'],
      ...[...day.deleted.resourceIds, ...purgedResources].map((id) => [`resource/${id}`, 'dataset_deleted']),
    ]);
    expect(Object.fromEntries(deletes.map((d) => [`${d.entity_type}/${d.entity_id}`, d.deletion_reason]))).toEqual(expectedReasons);
    const deleted = deletes.find((d) => d.entity_id === day.deleted.id)!;
    expect(deleted.old_values).toEqual(snapshots[1]!.datasets.get(day.deleted.id));
    expect(deleted.new_values).toBeNull();
    expect(deleted.organization_id).toBe(snapshots[1]!.datasets.get(day.deleted.id)!['organization'] ?? null);

    const restores = await h.database.sql`select entity_type, entity_id, new_values from changes where run_id = ${runs[2]!} and op = 'restore'`;
    expect(restores.map((r) => `${r.entity_type}/${r.entity_id}`).sort()).toEqual([`dataset/${day.deleted.id}`, ...day.deleted.resourceIds.map((id) => `resource/${id}`)].sort());
    expect(restores.find((r) => r.entity_id === day.deleted.id)!.new_values).toEqual(snapshots[3]!.datasets.get(day.deleted.id));
  });

  it('gives each entity as it was before and after each change, null before its insert and while tombstoned', async () => {
    const asOf = async (type: string, id: string, at: string) =>
      (await h.database.sql`select entity_as_of(${type}, ${id}, ${at}::timestamptz) as o`)[0]!.o;
    const cases: Array<[string, string, 'datasets' | 'resources' | 'organizations']> = [
      ['dataset', day.titled.id, 'datasets'], ['dataset', day.tagged.id, 'datasets'], ['dataset', day.archived.id, 'datasets'],
      ['dataset', day.deleted.id, 'datasets'], ['dataset', day.purged.id, 'datasets'], ['dataset', day.checksum.datasetId, 'datasets'],
      ['resource', day.checksum.resourceId, 'resources'], ['resource', day.deleted.resourceIds[0]!, 'resources'],
      ['organization', day.renamed.id, 'organizations'],
    ];
    for (const [type, id, table] of cases) {
      for (let i = 0; i < t.length; i++) {
        // snapshots[i] holds the live rows after the i-th sync: a tombstoned or unseen entity is absent, so null.
        expect(await asOf(type, id, t[i]!), `${type} ${id} at t${i}`).toEqual(snapshots[i]![table].get(id) ?? null);
      }
    }
    // Not vacuous: the objects do differ from one day to the next.
    expect(snapshots[1]!.datasets.get(day.titled.id)!['title']).toBe(day.titled.before);
    expect(snapshots[2]!.datasets.get(day.titled.id)!['title']).toBe(day.titled.after);
    expect(snapshots[2]!.datasets.has(day.deleted.id)).toBe(false);
    expect(snapshots[3]!.datasets.has(day.deleted.id)).toBe(true);
  });

  it('gives whole tables as of any date', async () => {
    for (let i = 0; i < t.length; i++) {
      const rows = await h.database.sql`select id, object from datasets_as_of(${t[i]!}::timestamptz)`;
      expect(new Map(rows.map((r) => [r.id as string, r.object]))).toEqual(snapshots[i]!.datasets);
      const orgs = await h.database.sql`select id, object from entities_as_of('organization', ${t[i]!}::timestamptz)`;
      expect(new Map(orgs.map((r) => [r.id as string, r.object]))).toEqual(snapshots[i]!.organizations);
    }
    expect(snapshots[1]!.datasets.size).toBeGreaterThan(100);
  });

  it('prints the same rows with `changes --format json`, and each filter narrows them', async () => {
    const exit = await cli(['changes', '--format', 'json', '--since', t[1]!], env());
    expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = JSON.parse(exit.stdout) as Row[];
    const fieldLines = lines.filter((l) => l['field'] !== null).map((l) => ({
      change_id: l['change_id'], field: l['field'], old_value: l['old_value'], new_value: l['new_value'], added: l['added'], removed: l['removed'],
    }));
    const viewRows = await h.database.sql`select change_id::int, field, old_value, new_value, added, removed from field_changes
      where observed_at > ${t[1]!}::timestamptz order by change_id, field`;
    expect(fieldLines).toEqual([...viewRows]);
    expect(viewRows.length).toBeGreaterThanOrEqual(5);
    const changeRows = await h.database.sql`select id::int, op from changes where observed_at > ${t[1]!}::timestamptz
      and not (op = 'update' and cardinality(changed_fields) = 0) order by id`;
    expect([...new Set(lines.map((l) => l['change_id']))]).toEqual(changeRows.map((c) => c.id));

    const ndjson = await cli(['changes', '--since', t[1]!], env()); // not a terminal: NDJSON by default
    expect(ndjson.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(lines);

    const titles = JSON.parse((await cli(['changes', '--format', 'json', '--field', 'title', '--kind', 'datasets'], env())).stdout) as Row[];
    expect(titles.map((l) => [l['entity_id'], l['old_value'], l['new_value']])).toEqual([[day.titled.id, day.titled.before, day.titled.after]]);
    const orgUpdates = JSON.parse((await cli(['changes', '--format', 'json', '--kind', 'organization', '--op', 'update'], env())).stdout) as Row[];
    expect(orgUpdates.map((l) => [l['entity_id'], l['field']])).toEqual([[day.renamed.id, 'name']]);
    const latest = JSON.parse((await cli(['changes', '--format', 'json', '--limit', '1'], env())).stdout) as Row[];
    expect(latest.map((l) => l['change_id'])).toEqual([(await h.database.sql`select max(id)::int as id from changes where not (op = 'update' and cardinality(changed_fields) = 0)`)[0]!.id]);
  });

  it('shows old → new on a table and writes CSV a spreadsheet reads', async () => {
    const table = await cli(['changes', '--format', 'table', '--since', t[1]!, '--until', t[2]!], env());
    expect(table.code).toBe(0);
    const titleLine = table.stdout.split('\n').find((l) => l.includes(day.titled.id))!;
    expect(titleLine).toMatch(/\btitle\s/);
    // Where the two differ is shown: the common start of a long title is cut, its end kept.
    const [oldShown, newShown] = titleLine.split(/\s+title\s+/)[1]!.split(' → ') as [string, string];
    expect(oldShown.endsWith(JSON.stringify(day.titled.before).slice(-10))).toBe(true);
    expect(newShown.trimEnd().endsWith(JSON.stringify(day.titled.after).slice(-10))).toBe(true);
    const checksumLine = table.stdout.split('\n').find((l) => l.includes(day.checksum.resourceId))!;
    expect(checksumLine).toContain(`value: ${JSON.stringify((day.checksum.before as { value: string }).value).slice(0, 10)}`);
    const tagLine = table.stdout.split('\n').find((l) => /\btags\b/.test(l))!;
    for (const tag of setDifference(day.tagged.after, day.tagged.before)) expect(tagLine).toContain(`+${JSON.stringify(tag)}`);
    for (const tag of setDifference(day.tagged.before, day.tagged.after)) expect(tagLine).toContain(`−${JSON.stringify(tag)}`);
    expect(table.stdout).toMatch(/delete .*\(not_found\)/);
    expect(table.stdout).not.toMatch(/\brestore\b/); // the restore came after --until

    const csv = await cli(['changes', '--format', 'csv', '--field', 'title'], env());
    const [header, ...rows] = csv.stdout.trimEnd().split('\n');
    expect(header).toBe('change_id,run_id,observed_at,entity_type,entity_id,organization_id,op,field,stamp,old_value,new_value,added,removed,deletion_reason');
    const [change] = await h.database.sql`select id::int, run_id::int, organization_id,
      to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as observed_at from changes
      where entity_id = ${day.titled.id} and op = 'update'`;
    const cells = [change!.id, change!.run_id, change!.observed_at, 'dataset', day.titled.id, change!.organization_id ?? '',
      'update', 'title', 'false', day.titled.before, day.titled.after, '', '', ''];
    expect(rows.join('\n') + '\n').toBe(stringify([cells.map(String)]));
  });

  const badArguments: Array<[string[], RegExp]> = [
    [['changes', '--since', 'yesterday'], /--since.*"yesterday"/],
    [['changes', '--until', '2026-02-30'], /--until.*"2026-02-30"/],
    [['changes', '--kind', 'thing'], /--kind.*dataset.*"thing"/],
    [['changes', '--op', 'frob'], /--op.*insert, update, delete, restore/],
    [['changes', '--format', 'xml'], /--format.*table, json, ndjson, csv/],
    [['changes', '--limit', '0'], /--limit.*"0"/],
    [['changes', '--since', '2026-12-01', '--until', '2026-11-30'], /--until .* is not after --since/],
    [['changes', '--field', 'title', '--op', 'insert'], /--field goes with updates and restores/],
  ];
  it.concurrent.for(badArguments)('refuses %j with one sentence and exit 1', async ([args, message], { expect }) => {
    const exit = await cli(args, env());
    expect(exit.code).toBe(1);
    expect(exit.stdout).toBe('');
    expect(sentences(exit.stderr)).toEqual([expect.stringMatching(message)]);
  });

  it('lists runs as JSON with `runs --json`', async () => {
    const exit = await cli(['runs', '--json'], env());
    expect(exit.code).toBe(0);
    const listed = JSON.parse(exit.stdout) as Row[];
    const stored = await h.database.sql`select id::int, status, mode, inserted, updated, deleted, restored from sync_runs order by id desc`;
    expect(listed.map((r) => ({ id: r['id'], status: r['status'], mode: r['mode'], inserted: r['inserted'], updated: r['updated'], deleted: r['deleted'], restored: r['restored'] }))).toEqual([...stored]);
    expect(listed.map((r) => r['id'])).toEqual([...runs].reverse());
    expect(listed[0]!['started_at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});

describe('analysts on every kind', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 20, organizations: 3, reuses: 3, users: 15, dataservices: 3 } } });
  });
  afterAll(async () => h?.close());

  it('knows the organization of every entity type and lets `changes --kind` name each', () => {
    for (const type of Object.keys(KINDS_BY_TYPE)) {
      expect(ENTITY_LOOKUPS[type], type).toBeDefined();
      expect(ENTITY_TYPES, type).toContain(type);
    }
  });

  it('records a dataservice edit with its old and new values, stamp and organization, and folds it as of any date', async () => {
    expect((await h.sync({ mode: 'full' })).status).toBe('succeeded');
    const t1 = new Date().toISOString();
    const [service] = await h.database.sql`select id, title, organization_id from dataservices where deleted_at is null order by id limit 1`;
    const id = service!.id as string;
    const before = trackedOf(KINDS_BY_TYPE.dataservice, (await h.database.sql`select raw from dataservices where id = ${id}`)[0]!.raw as Row, null);
    h.fake.catalog.editDataservice(id, { title: 'API renommée' });
    expect(await h.sync({ mode: 'incremental' })).toMatchObject({ status: 'succeeded', error: undefined });
    const after = trackedOf(KINDS_BY_TYPE.dataservice, (await h.database.sql`select raw from dataservices where id = ${id}`)[0]!.raw as Row, null);
    const [change] = await h.database.sql`select changed_fields, stamp_fields, organization_id from changes where entity_type = 'dataservice' and op = 'update'`;
    expect(change).toEqual({ changed_fields: ['title'], stamp_fields: ['metadata_modified_at'], organization_id: service!.organization_id });
    expect(await h.database.sql`select old_value, new_value from field_changes where entity_type = 'dataservice'`).toEqual([{ old_value: service!.title, new_value: 'API renommée' }]);
    const [asOf] = await h.database.sql`select entity_as_of('dataservice', ${id}, ${t1}::timestamptz) as then, entity_as_of('dataservice', ${id}, now()) as now`;
    expect(asOf).toEqual({ then: before, now: after });
    const all = await h.database.sql`select id from dataservices_as_of(now()) order by id`;
    expect(all.map((r) => r.id)).toEqual((await h.database.sql`select id from dataservices where deleted_at is null order by id`).map((r) => r.id));
    const lines = JSON.parse((await cli(['changes', '--kind', 'dataservices', '--op', 'update', '--format', 'json'], { DATABASE_URL: h.database.url, LOG_LEVEL: 'silent' })).stdout) as Row[];
    expect(lines.map((l) => [l['entity_id'], l['field'], l['new_value']])).toEqual([[id, 'title', 'API renommée']]);
  });
});
