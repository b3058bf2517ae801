// `doctor`: one line per piece the mirror depends on, ✓ fine, ! works with something missing, ✗ does
// not work; exits non-zero when something does not work. Touches Postgres, Redis and HTTP.
import type { Config } from '../config.ts';
import { openDb } from '../db/client.ts';
import { readQueueState, type QueueState } from '../status/queue-state.ts';
import { checkApi, checkDatabase, checkLastRun, checkRedis, checkSchedule, checkWorkers, type Finding } from './doctor-checks.ts';
import { queueOf } from './context.ts';
import { CliError } from './errors.ts';

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

async function queueFindings(config: Config): Promise<{ redis: Finding; queue: QueueState }> {
  let handle: Awaited<ReturnType<typeof queueOf>>;
  try {
    handle = await queueOf(config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { redis: checkRedis(config, { error: message }), queue: { name: config.QUEUE_NAME, reachable: false, error: message } };
  }
  try {
    const info = await handle.redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1];
    return { redis: checkRedis(config, { version }), queue: await readQueueState(handle.mirror.queue) };
  } finally {
    await handle.close();
  }
}

export async function doctorCommand(config: Config): Promise<void> {
  const database = openDb(config.DATABASE_URL, { max: 2, connectTimeoutMs: Math.min(config.DATABASE_CONNECT_TIMEOUT_MS, 5_000) });
  try {
    const [db, api, { redis, queue }] = await Promise.all([checkDatabase(config, database.sql), checkApi(config), queueFindings(config)]);
    const findings = [db, redis, api, checkWorkers(queue), checkSchedule(queue), db.level === 'fail' ? { level: 'fail' as const, what: 'last run', text: 'unknown (database unusable)' } : await checkLastRun(database.sql)];
    const width = Math.max(...findings.map((f) => f.what.length));
    for (const f of findings) console.log(`${MARK[f.level]} ${f.what.padEnd(width)}  ${f.text}`);
    const failed = findings.filter((f) => f.level === 'fail');
    if (failed.length) throw new CliError(`doctor: ${failed.map((f) => f.what).join(', ')} ${failed.length > 1 ? 'do' : 'does'} not work (see above).`);
  } finally {
    await database.close();
  }
}
