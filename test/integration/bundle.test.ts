// The built CLI as the package ships it: `scripts/build.mjs` bundles bin/mirror.ts into a folder of the
// package, and `node <folder>/bin/mirror.js` runs the commands whose code finds files at run time (the
// migrations, the embedded PostgreSQL's binaries, the demo's recorded responses, the dashboard's
// assets, the queue's scripts, pino's transports). Touches Postgres, Redis, HTTP, the filesystem and
// child processes.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeDatagouv, type FakeDatagouv } from '../../src/fake-datagouv/index.ts';
import { cli, startCli } from '../support/cli-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = `.bundle-test-${randomBytes(3).toString('hex')}`;
const BIN = path.join(OUT, 'bin', 'mirror.js');

describe('the bundled CLI', () => {
  let fake: FakeDatagouv;
  let database: TestDatabase;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--outdir', OUT], { cwd: ROOT });
    fake = await startFakeDatagouv({ counts: { datasets: 30, organizations: 4, reuses: 3, users: 10 } });
    database = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'dgm-bundle-'));
    chmodSync(dir, 0o755); // as root the embedded server runs as an unprivileged account, which must enter it
    env = {
      DATABASE_URL: database.url,
      DATAGOUV_BASE_URL: fake.url,
      REDIS_URL: inject('redisUrl'),
      QUEUE_NAME: `bundle-${randomBytes(3).toString('hex')}`,
      MIRROR_DATA_DIR: path.join(dir, 'data'),
    };
  }, 60_000);
  afterAll(async () => {
    await fake?.close();
    await database?.drop();
    rmSync(path.join(ROOT, OUT), { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('syncs, lists its runs and the queue, and runs a queued sync through its worker', async () => {
    const sync = await cli(['sync', '--mode', 'full'], env, BIN);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^Run 1 \(full\) succeeded/m);
    const [count] = await database.sql`select count(*)::int as n from datasets where deleted_at is null`;
    expect(count!.n).toBe(fake.catalog.visible('datasets').length);

    const worker = startCli(['worker'], env, BIN);
    try {
      const queued = await cli(['sync', '--queue', '--wait'], env, BIN);
      expect(queued.code, queued.stderr).toBe(0);
      expect(queued.stdout).toMatch(/succeeded/);
    } finally {
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
    const runs = await cli(['runs', '--limit', '2'], env, BIN);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toMatch(/^Queue bundle-\w+: 0 waiting, 0 active/m);
    const [finished] = await database.sql`select count(*)::int as n from sync_runs where status = 'succeeded'`;
    expect(finished!.n).toBe(2);
  });

  it('runs the demo on the embedded PostgreSQL and its recorded catalog', async () => {
    const demo = await cli(['demo'], { MIRROR_DATA_DIR: env.MIRROR_DATA_DIR! }, BIN);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/^Run 2 \(incremental\) succeeded/m);
  });

  it('serves the dashboard with its page and chart library', async () => {
    const dashboard = startCli(['dashboard', '--port', '0'], env, BIN);
    try {
      // The address is printed once the server listens.
      const url = await new Promise<string>((resolve, reject) => {
        dashboard.child.stdout!.on('data', () => {
          const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(dashboard.stdout());
          if (found) resolve(found[0]);
        });
        dashboard.child.once('exit', (code) => reject(new Error(`the dashboard exited with ${code}: ${dashboard.stderr()}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      const scripts = [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
      expect(scripts.length).toBeGreaterThan(0);
      for (const src of scripts) expect((await fetch(new URL(src, url))).status, src).toBe(200);
    } finally {
      dashboard.child.kill('SIGTERM');
      await dashboard.exited;
    }
  });
});
