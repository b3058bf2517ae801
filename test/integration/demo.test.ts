// `demo` end to end as a new user runs it: DATABASE_URL unset, the real CLI in a subprocess, its data in a
// temp folder. It must print the runs, what changed and what to try next, write its rows into the demo
// database, leave the mirror's database alone, and take well under a minute. Touches Postgres (its own
// embedded server), the filesystem and child processes.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli-process.ts';
import { createTestDatabase } from '../support/db.ts';

describe('demo', () => {
  let dir: string;
  let env: Record<string, string>;
  const rows = async (args: string[]) => {
    const exit = await cli(['sql', '--json', ...args], env);
    expect(exit.code, exit.stderr).toBe(0);
    return exit.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dgm-demo-'));
    chmodSync(dir, 0o755); // as root the server runs as an unprivileged account, which must enter it
    env = { MIRROR_DATA_DIR: path.join(dir, 'data') };
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs offline in one command: full sync, a scripted day, incremental sync, what changed and what next', async () => {
    const started = Date.now();
    const exit = await cli(['demo'], env);
    const seconds = (Date.now() - started) / 1000;
    console.info(`demo wall time: ${seconds.toFixed(1)} s`);
    expect(exit.code, exit.stderr).toBe(0);
    expect(seconds).toBeLessThan(60);
    expect(exit.stderr.split('\n')[0]).toMatch(/^Database: the embedded PostgreSQL 18 in \S+, database datagouv_mirror_demo on 127\.0\.0\.1:\d+; the demo never writes to DATABASE_URL \(your mirror\): pass --database-url/);
    const out = exit.stdout;
    expect(out).toMatch(/^A fake data\.gouv\.fr runs on http:\/\/127\.0\.0\.1:\d+ \(300 datasets/m);
    expect(out).toMatch(/^Run 1 \(full\) succeeded in [\d.]+ s/m);
    expect(out).toMatch(/^2\/3 {2}A day passes on data\.gouv\.fr: \d+ edits/m);
    expect(out).toMatch(/^Run 2 \(incremental\) succeeded in [\d.]+ s/m);
    // The counts per kind it prints are the incremental run's rows in `changes`.
    const printed = out.slice(out.indexOf('What the mirror recorded'));
    const datasetLine = /^dataset +(\d+) +(\d+) +(\d+) +(\d+)$/m.exec(printed);
    expect(datasetLine).not.toBeNull();
    const counted = await rows(['--demo', "select op, count(*)::int as n from changes where run_id = 2 and entity_type = 'dataset' group by op"]);
    const n = (op: string) => (counted.find((r) => r.op === op)?.n as number | undefined) ?? 0;
    expect(datasetLine!.slice(1).map(Number)).toEqual([n('insert'), n('update'), n('delete'), n('restore')]);
    expect(n('update')).toBeGreaterThanOrEqual(4);
    // Old → new values: the retitled dataset's title is shown before and after.
    expect(printed).toMatch(/^ {4}title: "….+" → "….+ (— édition 2026|\(données consolidées\)|— version 2)"$/m);
    expect(printed).toMatch(/^ {4}license: "[^"]+" → "odc-odbl"$/m);
    expect(out).toMatch(/^Try next/m);
    expect(out).toContain('npm run mirror -- dashboard --demo');
    expect(out).toContain('npm run mirror -- changes --demo');
    const [mirrored] = await rows(['--demo', "select (select count(*)::int from datasets where title like '%— édition 2026') as retitled, (select count(*)::int from sync_runs where status = 'succeeded') as runs"]);
    expect(mirrored).toEqual({ retitled: 1, runs: 2 });
  });

  it('never writes to the mirror’s own database', async () => {
    expect(await rows(['select count(*)::int as runs from sync_runs'])).toEqual([{ runs: 0 }]);
  });

  it('refuses a --database-url that names an existing database other than a former demo’s, and leaves it whole', async () => {
    const mirror = await createTestDatabase();
    try {
      await mirror.sql`insert into sync_runs (mode, status, kinds) values ('full', 'succeeded', '{datasets}')`;
      const exit = await cli(['demo', '--database-url', mirror.url], { ...env, DATABASE_URL: mirror.url });
      expect(exit.code).toBe(1);
      expect(exit.stderr.trim().split('\n').at(-1)).toBe(
        `The database "${mirror.name}" at ${mirror.url} exists and is not a demo's: the demo drops and makes its database again, so name a new one.`,
      );
      expect((await mirror.sql`select count(*)::int as n from sync_runs`)[0]!.n).toBe(1);
    } finally {
      await mirror.drop();
    }
  });
});
