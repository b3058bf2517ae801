// The rss scenario: peak RSS of a process that runs only a full sync, against 300 MB. Touches Postgres, HTTP, child processes.
import { spawn } from 'node:child_process';
import { lineBase, type CatalogState } from './catalog.ts';
import { onCleanup } from './cleanup.ts';
import { createBenchDatabase } from './databases.ts';
import { ROOT, stopChild } from './fake-process.ts';
import { say, type Line } from './report.ts';

export async function rssLine(state: CatalogState): Promise<Line> {
  const db = await createBenchDatabase('rss');
  say('rss: one full sync in a child process');
  const payload = JSON.stringify({ databaseUrl: db.url, baseUrl: state.fake.url, settings: state.settings });
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/rss-child.ts', payload], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = onCleanup(`rss child (pid ${child.pid})`, async () => {
    child.kill('SIGKILL');
    await stopChild(child);
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  await stop();
  await db.drop();
  if (code !== 0) throw new Error(`the rss child process exited with ${code}`);
  const r = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number | string | undefined>;
  const peak = Number(r['max_rss_mb']);
  return {
    ...lineBase(state, 'rss'),
    seconds: Number(r['seconds']),
    baseline_seconds: null,
    ratio: peak / 300,
    target: '<= 300 MB at scale 1',
    ok: peak <= 300 && r['status'] === 'succeeded',
    error: r['status'] === 'succeeded' ? undefined : r['error'],
    max_rss_mb: peak,
    sampled_peak_rss_mb: r['sampled_peak_rss_mb'],
    idle_rss_mb: r['idle_rss_mb'],
    peak_heap_used_mb: r['peak_heap_used_mb'],
    entities_seen: r['seen'],
    note: `ru_maxrss of a process that ran only the full sync (tsx loader included: idle_rss_mb); the target is for scale 1${state.args.scale === 1 ? '' : `, this is scale ${state.args.scale}`}`,
  };
}

