// docs/analysts.md cannot rot: every SQL recipe in it is parsed out of the markdown, run against a
// mirror synced through the scripted day (and a second title edit, a restore), and its result checked
// against the fake catalog or the test's own snapshots; a recipe without a check fails. Touches
// Postgres and HTTP.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS_BY_TYPE } from '../../src/harvest/kinds/index.ts';
import { trackedOf } from '../../src/harvest/store-entities.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { scriptDay, scriptRestore, type ScriptedDay } from '../support/scripted-day.ts';

type Row = Record<string, unknown>;
const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/analysts.md');
const THIRD_TITLE = 'Titre du troisième jour';

/** Every ```sql block of the guide that names itself `-- recipe: <name>` on its first line. */
function recipes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [, body] of readFileSync(DOC, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)) {
    const name = /^-- recipe: ([a-z0-9-]+)\n/.exec(body!)?.[1];
    if (!name) throw new Error(`a SQL block of docs/analysts.md has no "-- recipe: <name>" line: ${body!.slice(0, 60)}`);
    if (out.has(name)) throw new Error(`recipe ${name} appears twice`);
    out.set(name, body!);
  }
  return out;
}

/** psql's `:'name'` variables, as quoted literals. */
function substitute(sql: string, vars: Record<string, string>): string {
  return sql.replace(/:'([a-z_]+)'/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`no value for :'${name}'`);
    return `'${vars[name]!.replaceAll("'", "''")}'`;
  });
}

/** A `date` as postgres.js returns it (a Date at UTC midnight), as YYYY-MM-DD. */
const dayText = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value));

const countBy = <T>(items: T[], key: (item: T) => string | null) => {
  const out = new Map<string | null, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
};

describe('the cookbook of docs/analysts.md', () => {
  let h: Harness;
  let day: ScriptedDay;
  const runs: number[] = [];
  const datasetsAfter: Array<Map<string, Row>> = [];
  let vars: Record<string, string>;

  const sync = async () => {
    const outcome = await h.sync();
    expect(outcome).toMatchObject({ status: 'succeeded', error: undefined });
    runs.push(outcome.runId);
    const rows = await h.database.sql<{ id: string; raw: Row }[]>`select id, raw from datasets where deleted_at is null`;
    datasetsAfter.push(new Map(rows.map((r) => [r.id, trackedOf(KINDS_BY_TYPE.dataset, r.raw, null)])));
  };

  beforeAll(async () => {
    h = await startHarness();
    await sync();
    const linked = new Set((await h.database.sql`select dataset_id from reuse_datasets`).map((r) => r.dataset_id as string));
    day = scriptDay(h.fake.catalog, linked);
    await sync();
    scriptRestore(h.fake.catalog, day);
    h.fake.catalog.editDataset(day.titled.id, { title: THIRD_TITLE });
    await sync();
    const [first] = await h.database.sql`select finished_at::text as at from sync_runs where id = ${runs[0]!}`;
    vars = { dataset_id: day.titled.id, at: first!.at as string, run_id: String(runs[1]) };
  });
  afterAll(async () => h?.close());

  const without = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));

  const checks: Record<string, (rows: Row[]) => void | Promise<void>> = {
    'titles-this-week': (rows) => {
      expect(rows.map((r) => [r.entity_id, r.old_title, r.new_title])).toEqual([
        [day.titled.id, day.titled.before, day.titled.after],
        [day.titled.id, day.titled.after, THIRD_TITLE],
      ]);
    },
    'tags-added-removed': (rows) => {
      expect(rows.map((r) => [r.entity_id, r.added, r.removed])).toEqual([
        [day.tagged.id, without(day.tagged.after, day.tagged.before), without(day.tagged.before, day.tagged.after)],
      ]);
    },
    'tags-most-removed': (rows) => {
      const removed = without(day.tagged.before, day.tagged.after).sort();
      expect(rows).toEqual(removed.map((tag) => ({ tag, removals: 1 })));
    },
    'datasets-per-organization-over-time': (rows) => {
      for (const [i, runId] of runs.entries()) {
        const expected = countBy([...datasetsAfter[i]!.values()], (d) => (d['organization'] as string | null) ?? null);
        const got = new Map(rows.filter((r) => Number(r.run_id) === runId).map((r) => [r.organization_id as string | null, Number(r.datasets)]));
        expect(got).toEqual(expected);
      }
      const total = (runId: number) => rows.filter((r) => Number(r.run_id) === runId).reduce((n, r) => n + Number(r.datasets), 0);
      expect(total(runs[1]!)).toBe(total(runs[0]!) - 2); // deleted and purged; the archived one stays
    },
    'title-at-each-run': (rows) => {
      expect(rows.map((r) => [Number(r.run_id), r.title])).toEqual([
        [runs[0], day.titled.before], [runs[1], day.titled.after], [runs[2], THIRD_TITLE],
      ]);
    },
    'catalog-as-of': (rows) => {
      const first = datasetsAfter[0]!;
      expect(rows.map((r) => r.id)).toEqual([...first.keys()].sort());
      for (const r of rows) {
        const d = first.get(r.id as string)!;
        expect([r.title, r.license, r.organization_id]).toEqual([d['title'], d['license'], d['organization'] ?? null]);
      }
      expect(rows.find((r) => r.id === day.titled.id)!.title).toBe(day.titled.before);
    },
    'checksum-changed': (rows) => {
      const before = day.checksum.before as { value?: string } | null;
      expect(rows.map((r) => [r.resource_id, r.dataset_id, r.old_checksum, r.new_checksum])).toEqual([
        [day.checksum.resourceId, day.checksum.datasetId, before?.value ?? null, day.checksum.after.value],
      ]);
    },
    'deletions-by-reason-per-week': async (rows) => {
      const purgedResources = await h.database.sql`select count(*)::int as n from resources where dataset_id = ${day.purged.id}`;
      const got = Object.fromEntries(rows.map((r) => [`${r.entity_type}/${r.deletion_reason}`, Number(r.deletions)]));
      expect(got).toEqual({
        'dataset/deleted': 1,
        'dataset/not_found': 1,
        'resource/dataset_deleted': day.deleted.resourceIds.length + (purgedResources[0]!.n as number),
      });
    },
    'deleted-with-titles': (rows) => {
      const title = (id: string) => datasetsAfter[0]!.get(id)!['title'];
      expect(rows.map((r) => [r.entity_id, r.title, r.deletion_reason]).sort()).toEqual(
        [[day.deleted.id, title(day.deleted.id), 'deleted'], [day.purged.id, title(day.purged.id), 'not_found']].sort(),
      );
    },
    'came-back': (rows) => {
      expect(rows.map((r) => [r.entity_id, r.title])).toEqual([[day.deleted.id, datasetsAfter[2]!.get(day.deleted.id)!['title']]]);
      expect(rows[0]!.gone_for).toMatch(/^\d{2}:\d{2}:\d{2}/); // an interval: seconds in this test
    },
    'most-edited-datasets': (rows) => {
      expect(rows[0]).toMatchObject({ entity_id: day.titled.id, title: THIRD_TITLE, fields: ['title'] });
      expect(Number(rows[0]!.edits)).toBe(2);
      const once = rows.slice(1).map((r) => r.entity_id as string);
      expect(once).toEqual(expect.arrayContaining([day.tagged.id, day.archived.id]));
      expect(rows.find((r) => r.entity_id === day.checksum.datasetId)).toBeUndefined(); // stamps only: no edit
    },
    'archived-this-week': (rows) => {
      expect(rows.map((r) => [r.entity_id, r.archived_at])).toEqual([[day.archived.id, datasetsAfter[1]!.get(day.archived.id)!['archived']]]);
    },
    'organizations-renamed': (rows) => {
      expect(rows.map((r) => [r.entity_id, r.old_name, r.new_name])).toEqual([[day.renamed.id, day.renamed.before, day.renamed.after]]);
    },
    'new-organizations-per-month': (rows) => {
      const catalog = h.fake.catalog;
      const months = countBy(catalog.visible('organizations'), (id) => `${String((catalog.get('organizations', id) as Row)['created_at']).slice(0, 7)}-01`);
      expect(new Map(rows.map((r) => [dayText(r.month), Number(r.organizations)]))).toEqual(months);
    },
    'reuses-per-dataset': (rows) => {
      const catalog = h.fake.catalog;
      const live = new Set(catalog.visible('datasets'));
      const links = catalog.visible('reuses').flatMap((id) => ((catalog.get('reuses', id) as Row)['datasets'] as Row[]).map((d) => d['id'] as string));
      const expected = countBy(links.filter((id) => live.has(id)), (id) => id);
      expect(new Map(rows.map((r) => [r.id as string, Number(r.reuses)]))).toEqual(expected);
      expect(rows.length).toBeGreaterThan(0);
    },
    'stamp-only-updates': (rows) => {
      const mine = rows.find((r) => r.entity_id === day.checksum.datasetId)!;
      expect(mine.stamp_fields).toEqual(expect.arrayContaining(['internal']));
      expect(Number(mine.resource_changes)).toBe(1);
    },
    'changes-per-day': async (rows) => {
      const direct = await h.database.sql`select (observed_at at time zone 'UTC')::date as day, entity_type, op, count(*)::int as changes
        from changes group by 1, 2, 3 order by 1, 2, 3`;
      expect(rows.map((r) => [String(r.day), r.entity_type, r.op, r.changes])).toEqual(direct.map((r) => [String(r.day), r.entity_type, r.op, r.changes]));
      expect(rows.find((r) => r.entity_type === 'dataset' && r.op === 'update')!.stamp_only).toBeGreaterThan(0);
    },
    'run-summary': async (rows) => {
      const [run] = await h.database.sql`select inserted, updated, deleted, restored from sync_runs where id = ${runs[1]!}`;
      const sum = (op: string) => rows.filter((r) => r.op === op).reduce((n, r) => n + Number(r.changes), 0);
      expect({ inserted: sum('insert'), updated: sum('update'), deleted: sum('delete'), restored: sum('restore') }).toEqual(run);
      expect(rows.find((r) => r.entity_type === 'organization' && r.op === 'update')).toMatchObject({ changes: 1, stamp_only: 0 });
    },
    'field-history': (rows) => {
      expect(rows.map((r) => [r.op, r.old_value, r.new_value])).toEqual([
        ['update', day.titled.before, day.titled.after],
        ['update', day.titled.after, THIRD_TITLE],
      ]);
    },
  };

  it('has at least 12 recipes, each with its check', () => {
    const names = [...recipes().keys()];
    expect(names.length).toBeGreaterThanOrEqual(12);
    expect(names.sort()).toEqual(Object.keys(checks).sort());
  });

  it.for([...recipes()])('recipe %s runs and gives the expected result', async ([name, body]) => {
    const rows = await h.database.sql.unsafe<Row[]>(substitute(body, vars));
    await checks[name]!([...rows]);
  });

});
