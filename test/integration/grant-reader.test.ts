// `grant-reader ROLE` on a synced mirror: the role logs in and reads every mirror table, view and
// function, also those a later migration adds, and cannot write, create, nor read anything else (a
// table of another role in another schema or in the mirror's schema, the migrations ledger,
// pg_authid). Roles are cluster-wide: unique names, dropped after. Touches Postgres, HTTP and child processes.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, sentences } from '../support/cli-process.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const suffix = randomBytes(4).toString('hex');
const reader = `dgm_reader_${suffix}`;
const other = `dgm_other_${suffix}`;
const secretSchema = `dgm_secret_${suffix}`;

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcome(sql: postgres.Sql, statement: string): Promise<string> {
  try {
    await sql.unsafe(statement);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('grant-reader', () => {
  let h: Harness;
  let asReader: postgres.Sql;
  const env = () => ({ DATABASE_URL: h.database.url, LOG_LEVEL: 'silent' });

  beforeAll(async () => {
    h = await startHarness({ fake: { counts: { datasets: 20, organizations: 3, reuses: 4, users: 15 } } });
    expect((await h.sync({ mode: 'full' })).status).toBe('succeeded');
    const url = new URL(h.database.url);
    url.username = reader;
    asReader = postgres(url.toString(), { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await asReader?.end();
    const { sql } = h.database;
    for (const role of [reader, other]) {
      if ((await sql`select 1 from pg_roles where rolname = ${role}`).length === 0) continue;
      await sql.unsafe(`drop owned by "${role}" cascade`);
      await sql.unsafe(`drop role "${role}"`);
    }
    await sql.unsafe(`drop schema if exists ${secretSchema} cascade`);
    await h?.close();
  });

  it('creates a LOGIN role without password and says how to set one', async () => {
    const exit = await cli(['grant-reader', reader], env());
    expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 0, stderr: '' });
    expect(exit.stdout).toMatch(new RegExp(`^Role ${reader} created \\(LOGIN, no password\\): it may read the \\d+ tables and views`));
    expect(exit.stdout).toContain(`\\password ${reader}`);
    const [role] = await h.database.sql`select rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolpassword is null as no_password
      from pg_authid where rolname = ${reader}`;
    expect(role).toEqual({ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false, no_password: true });
  });

  it("reads every mirror table and view and runs the mirror's functions", async () => {
    const relations = await h.database.sql<{ name: string }[]>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'v', 'p') order by 1`;
    expect(relations.map((r) => r.name)).toEqual(expect.arrayContaining(['changes', 'datasets', 'field_changes', 'changes_per_day', 'live_datasets', 'sync_runs']));
    for (const { name } of relations) expect(`${name}: ${await outcome(asReader, `select * from "${name}" limit 1`)}`).toBe(`${name}: ok`);
    const [counted] = await asReader`select count(*)::int as n from datasets`;
    expect(counted!.n).toBeGreaterThan(0);
    const [dataset] = await asReader`select id from datasets limit 1`;
    const [asOf] = await asReader`select entity_as_of('dataset', ${dataset!.id as string}, now()) ->> 'id' as id`;
    expect(asOf!.id).toBe(dataset!.id);
    expect(await outcome(asReader, `select count(*) from datasets_as_of(now())`)).toBe('ok');
  });

  it('cannot write, create, nor read outside the mirror', async () => {
    await h.database.sql.unsafe(`create schema ${secretSchema}; create table ${secretSchema}.notes (x text); insert into ${secretSchema}.notes values ('secret')`);
    // A table of another role in the mirror's own schema is not the mirror's.
    await h.database.sql.unsafe(`create role "${other}" nologin; grant create on schema public to "${other}";
      set role "${other}"; create table public.not_the_mirror (x text); reset role`);
    const denied = {
      insert: `insert into sync_runs (mode) values ('full')`,
      update: `update datasets set title = 'x'`,
      delete: `delete from changes`,
      truncate: `truncate rejected_records`,
      createTable: `create table public.mine (x int)`,
      createSchema: `create schema dgm_reader_own`,
      refresh: `select refresh_changes_daily()`,
      otherSchema: `select * from ${secretSchema}.notes`,
      otherRoleTable: `select * from public.not_the_mirror`,
      migrationsLedger: `select * from drizzle.__drizzle_migrations`,
      authid: `select rolpassword from pg_authid`,
    };
    const results = Object.fromEntries(await Promise.all(Object.entries(denied).map(async ([k, s]) => [k, await outcome(asReader, s)] as const)));
    expect(results).toEqual(Object.fromEntries(Object.keys(denied).map((k) => [k, '42501'])));
    // The owner could: the refusals are the role's, not broken statements.
    expect(await outcome(h.database.sql, `select * from ${secretSchema}.notes`)).toBe('ok');
    expect(await outcome(h.database.sql, `select * from public.not_the_mirror`)).toBe('ok');
  });

  it('reads what a later migration creates, and a second grant changes nothing', async () => {
    await h.database.sql.unsafe(`create table later_table (x int); insert into later_table values (7);
      create view later_view as select x * 2 as y from later_table;
      create function later_double(v int) returns int language sql as 'select v * 2'`);
    expect(await asReader`select x from later_table`).toEqual([{ x: 7 }]);
    expect(await asReader`select y from later_view`).toEqual([{ y: 14 }]);
    expect(await asReader`select later_double(3) as z`).toEqual([{ z: 6 }]);
    expect(await outcome(asReader, `insert into later_table values (1)`)).toBe('42501');
    const again = await cli(['grant-reader', reader], env());
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^Role ${reader} already existed`));
  });

  it('refuses a superuser in one sentence', async () => {
    const exit = await cli(['grant-reader', 'postgres'], env());
    expect(exit.code).toBe(1);
    expect(sentences(exit.stderr)).toEqual([expect.stringMatching(/^Role postgres is a superuser: .*analysts\.$/)]);
  });
});
