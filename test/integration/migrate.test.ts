// Migrations: database creation, idempotence and concurrent runs against a real PostgreSQL.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runMigrations } from '../../src/db/migrate.ts';

const serverUrl = inject('pgServerUrl');
const name = `dgm_test_migrate_${randomBytes(3).toString('hex')}_${inject('pgTemplateDb').split('_').pop()}_db`;
const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();

afterAll(async () => {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe('migrate', () => {
  it('creates a missing database and applies every migration once, even when run concurrently', async () => {
    const results = await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    await runMigrations(url);
    const sql = postgres(url, { max: 1 });
    try {
      const tables = await sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public' order by table_name`;
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          'changes', 'datasets', 'organization_members', 'organizations', 'rejected_records',
          'resources', 'reuse_datasets', 'reuses', 'sync_runs', 'users',
        ]),
      );
      // JSON columns take lz4 where the server has it (this one does: a temporary table says so).
      const lz4 = await sql`create temporary table lz4_probe (j jsonb compression lz4)`.then(() => true, () => false);
      const compression = await sql`select attrelid::regclass::text as t, attname as c, attcompression::text as m from pg_attribute
        where (attrelid, attname) in (('datasets'::regclass, 'raw'), ('resources'::regclass, 'raw'), ('changes'::regclass, 'patch'))
        order by 1, 2`;
      expect(compression.map((r) => `${r.t}.${r.c}:${r.m}`)).toEqual(['changes.patch', 'datasets.raw', 'resources.raw'].map((c) => `${c}:${lz4 ? 'l' : ''}`));
      const applied = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const journal = await import('../../migrations/meta/_journal.json', { with: { type: 'json' } });
      expect(applied[0]?.n).toBe(journal.default.entries.length);
    } finally {
      await sql.end();
    }
  });
});
