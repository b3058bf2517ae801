// The embedded PostgreSQL as a new user meets it: DATABASE_URL unset, the real CLI in subprocesses, the
// data in a temp folder. Started on demand, migrated, synced into, stopped at the end, started again
// with the data kept, and shared by two commands at once. Touches Postgres (its own embedded server),
// HTTP (the fake), the filesystem and child processes.
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { cli, startCli } from '../support/cli-process.ts';
import { uniqueQueueName } from '../support/queue.ts';

const FIRST_LINE = /^Database: the embedded PostgreSQL 18 in (\S+), database datagouv_mirror on 127\.0\.0\.1:(\d+)( \(already running\))?; to use a server instead, set DATABASE_URL or pass --database-url\.$/;

describe('embedded PostgreSQL', () => {
  let dir: string;
  let fake: FakeDatagouv;
  let env: Record<string, string>;
  const pgdata = () => path.join(dir, 'data', 'postgres');
  const sqlJson = async (query: string) => {
    const exit = await cli(['sql', '--json', query], env);
    expect(exit.code, exit.stderr).toBe(0);
    return exit.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dgm-embedded-'));
    chmodSync(dir, 0o755); // as root the server runs as an unprivileged account, which must enter it
    fake = await startFakeDatagouv({ seed: 5, counts: { datasets: 40, organizations: 5, reuses: 6, users: 20, dataservices: 2 } });
    env = {
      MIRROR_DATA_DIR: path.join(dir, 'data'),
      DATAGOUV_BASE_URL: fake.url,
      DATAGOUV_API_KEY: 'fake-admin-key',
      DATAGOUV_REQUESTS_PER_SECOND: '100',
      REDIS_URL: inject('redisUrl'),
      QUEUE_NAME: uniqueQueueName(),
    };
  });
  afterAll(async () => {
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts on demand, says so first, migrates, takes a full sync and stops when the command ends', async () => {
    const exit = await cli(['sync', '--mode', 'full'], env);
    expect(exit.code, exit.stderr).toBe(0);
    const first = exit.stderr.split('\n')[0]!;
    expect(first).toMatch(FIRST_LINE);
    expect(first).not.toContain('already running');
    expect(FIRST_LINE.exec(first)![1]).toBe(pgdata());
    expect(exit.stdout).toMatch(/^Run 1 \(full\) succeeded/m);
    expect(existsSync(path.join(pgdata(), 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(pgdata(), 'postmaster.pid'))).toBe(false); // stopped cleanly: no server left
  });

  it('keeps pglz where the server has no lz4: the migration that asks for lz4 passes over it', async () => {
    const rows = await sqlJson(`select attcompression::text as method from pg_attribute where attrelid = 'datasets'::regclass and attname = 'raw'`);
    expect(rows).toEqual([{ method: '' }]);
  });

  it('starts again with the data kept: the next sync is incremental and records only the change', async () => {
    const [dataset] = fake.catalog.visible('datasets');
    fake.catalog.editDataset(dataset!, { title: 'Titre après redémarrage' });
    const exit = await cli(['sync'], env);
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toMatch(/^Run 2 \(incremental\) succeeded/m);
    const rows = await sqlJson(`select (select count(*)::int from datasets where deleted_at is null) as datasets,
      (select title from datasets where id = '${dataset}') as title,
      (select count(*)::int from changes where run_id = 2 and entity_type = 'dataset') as changed`);
    expect(rows).toEqual([{ datasets: fake.catalog.visible('datasets').length, title: 'Titre après redémarrage', changed: 1 }]);
  });

  it('is shared by two commands at once: the second joins the first one’s server, whose end alone stops it', async () => {
    const db = startCli(['db'], env);
    onTestFinished(async () => {
      // A failed assertion leaves it running: Ctrl-C it (it stops its server), killed if it hangs.
      if (db.child.exitCode !== null) return;
      db.child.kill('SIGINT');
      await Promise.race([db.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (db.child.exitCode === null) db.child.kill('SIGKILL');
    });
    const url = await new Promise<string>((resolve, reject) => {
      db.child.stdout!.on('data', () => {
        const found = /psql "(postgres:\/\/[^"]+)"/.exec(db.stdout());
        if (found) resolve(found[1]!);
      });
      db.exited.then((code) => reject(new Error(`db exited (${code}): ${db.stderr()}`)));
    });
    const port = new URL(url).port;
    const joined = await cli(['sql', 'select 1 as one'], env);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stderr.split('\n')[0]).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} \\(already running\\)`));
    expect(joined.stdout).toBe('one\n1\n(1 row)\n');
    // The joiner has ended: the server it did not start still answers.
    const direct = postgres(url, { max: 1, onnotice: () => {} });
    try {
      expect((await direct`select count(*)::int as n from sync_runs`)[0]!.n).toBe(2);
    } finally {
      await direct.end();
    }
    db.child.kill('SIGINT');
    expect(await db.exited).toBe(0);
    expect(existsSync(path.join(pgdata(), 'postmaster.pid'))).toBe(false);
  });
});
