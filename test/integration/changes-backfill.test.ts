// Migration 0006 on a mirror written before it: the old values, new values, stamps, organizations,
// deletion reasons and the daily rollup it backfills by replaying the patches are those the current
// code writes at write time. Touches Postgres and HTTP.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS_FOLDER, runMigrations } from '../../src/db/migrate.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { scriptDay, scriptRestore, type ScriptedDay } from '../support/scripted-day.ts';

const BEFORE = '0005_dataservices_run_state';
const ENTITY_TABLES = ['organizations', 'datasets', 'resources', 'reuses', 'users', 'dataservices'];

/** A migrations folder holding the migrations up to `last` only. */
function foldersUpTo(last: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dgm-migrations-'));
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
  const upTo = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === last) + 1);
  expect(upTo.at(-1)?.tag).toBe(last);
  cpSync(path.join(MIGRATIONS_FOLDER, 'meta'), path.join(dir, 'meta'), { recursive: true });
  writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: upTo }));
  for (const entry of upTo) cpSync(path.join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), path.join(dir, `${entry.tag}.sql`));
  return dir;
}

const NEW_COLUMNS = 'changed_fields, stamp_fields, old_values, new_values, organization_id, deletion_reason';

describe('migration 0006 on changes recorded before it', () => {
  let h: Harness;
  let day: ScriptedDay;
  let old: postgres.Sql;
  const serverUrl = inject('pgServerUrl');
  const oldName = `dgm_test_backfill_${randomBytes(3).toString('hex')}_${inject('pgTemplateDb').split('_').pop()}_db`;
  const oldUrl = Object.assign(new URL(serverUrl), { pathname: `/${oldName}` }).toString();
  let folder: string;

  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 100, organizations: 5, reuses: 6, users: 30 } } });
    expect((await h.sync({ mode: 'full' })).status).toBe('succeeded');
    const linked = new Set((await h.database.sql`select dataset_id from reuse_datasets`).map((r) => r.dataset_id as string));
    day = scriptDay(h.fake.catalog, linked);
    expect(await h.sync({ mode: 'incremental' })).toMatchObject({ status: 'succeeded', error: undefined });
    scriptRestore(h.fake.catalog, day);
    h.fake.catalog.editDataset(day.titled.id, { title: 'Titre du troisième jour' });
    expect(await h.sync({ mode: 'incremental' })).toMatchObject({ status: 'succeeded', error: undefined });
    folder = foldersUpTo(BEFORE);
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${oldName}`);
    await admin.end();
    old = postgres(oldUrl, { max: 1, onnotice: () => {} });
    await migrate(drizzle(old), { migrationsFolder: folder });
  });
  afterAll(async () => {
    await old?.end();
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${oldName} with (force)`);
    await admin.end();
    if (folder) rmSync(folder, { recursive: true, force: true });
    await h?.close();
  });

  it('backfills what the current code writes, from the patches alone', async () => {
    const { sql } = h.database;
    for (const table of ENTITY_TABLES) {
      const rows = await sql.unsafe(`select * from ${table}`);
      if (rows.length) await old.unsafe(`insert into ${table} select * from jsonb_populate_recordset(null::${table}, $1::jsonb)`, [JSON.stringify(rows)]);
    }
    // The rows as the code before 0006 wrote them: stamps among the changed fields, nothing else.
    const recorded = await sql`select id, run_id, entity_type, entity_id, op, patch, observed_at,
      array(select f from unnest(changed_fields || stamp_fields) as f order by f) as changed_fields from changes order by id`;
    expect(recorded.length).toBeGreaterThan(100);
    await old`insert into changes (id, run_id, entity_type, entity_id, op, changed_fields, patch, observed_at)
      select id, run_id, entity_type, entity_id, op, changed_fields, patch, observed_at
        from jsonb_to_recordset(${JSON.stringify(recorded)}::jsonb)
          as r(id bigint, run_id bigint, entity_type text, entity_id text, op text, changed_fields text[], patch jsonb, observed_at timestamptz)`;

    await runMigrations(oldUrl);

    const written = await sql.unsafe(`select id::int, op, entity_type, entity_id, ${NEW_COLUMNS} from changes order by id`);
    const backfilled = await old.unsafe(`select id::int, op, entity_type, entity_id, ${NEW_COLUMNS} from changes order by id`);
    // A deletion undone since has no tombstone left to say why: its reason is unknown to the backfill.
    const restoredDeletes = written.filter((c) => c.op === 'delete' && ((c.entity_type === 'dataset' && c.entity_id === day.deleted.id) || (c.entity_type === 'resource' && day.deleted.resourceIds.includes(c.entity_id as string))));
    expect(restoredDeletes.map((c) => c.deletion_reason).sort()).toEqual(['deleted', ...day.deleted.resourceIds.map(() => 'dataset_deleted')].sort());
    const unknownReason = new Set(restoredDeletes.map((c) => c.id));
    expect(backfilled.filter((c) => unknownReason.has(c.id)).map((c) => c.deletion_reason)).toEqual(restoredDeletes.map(() => null));
    const comparable = (rows: typeof written) => rows.map((c) => (unknownReason.has(c.id) ? { ...c, deletion_reason: null } : c));
    expect(comparable(backfilled)).toEqual(comparable(written));
    // Not vacuous: every kind of value is there to compare.
    expect(written.some((c) => c.op === 'update' && (c.stamp_fields as string[]).includes('internal'))).toBe(true);
    expect(written.some((c) => c.op === 'restore' && c.new_values && (c.new_values as Record<string, unknown>)['title'])).toBe(true);
    expect(written.some((c) => c.op === 'delete' && c.deletion_reason === 'not_found' && c.old_values)).toBe(true);
  });

  it('counts the same rollup and folds the same objects', async () => {
    await h.database.sql`select refresh_changes_daily()`;
    const rollup = (s: postgres.Sql) => s`select day::text, entity_type, organization_id, op, changes, stamp_only from changes_per_day order by 1, 2, 3, 4`;
    expect(await rollup(old)).toEqual(await rollup(h.database.sql));
    const asOf = (s: postgres.Sql) => s`select entity_type, entity_id, entity_as_of(entity_type, entity_id, 'infinity') as object
      from (select distinct entity_type, entity_id from changes) e order by 1, 2`;
    const folded = await asOf(h.database.sql);
    expect(await asOf(old)).toEqual(folded);
    expect(folded.find((e) => e.entity_id === day.titled.id)!.object).toMatchObject({ title: 'Titre du troisième jour' });
  });
});
