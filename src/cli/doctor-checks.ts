// The checks `doctor` runs, one finding each: the database, Redis, the API, the workers, the schedule
// and the last run. Touches Postgres, Redis and HTTP.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type postgres from 'postgres';
import { createHttpClient } from '../api/http-client.ts';
import type { Config } from '../config.ts';
import { MIGRATIONS_FOLDER, redactUrl } from '../db/migrate.ts';
import { causeMessage } from '../errors.ts';
import type { QueueState } from '../status/queue-state.ts';
import { embeddedChoice } from './database.ts';

export interface Finding {
  /** ok: nothing to do; warn: works, but something is missing; fail: does not work. */
  level: 'ok' | 'warn' | 'fail';
  what: string;
  text: string;
}

const MIGRATIONS = (JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

export async function checkDatabase(config: Config, sql: postgres.Sql): Promise<Finding> {
  const embedded = embeddedChoice();
  const where = embedded ? `embedded, ${redactUrl(config.DATABASE_URL)}` : redactUrl(config.DATABASE_URL);
  try {
    const [v] = await sql`select current_setting('server_version') as version`;
    const [m] = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`.catch(() => [{ n: 0 }]);
    const applied = (m?.n as number) ?? 0;
    const state = applied >= MIGRATIONS ? `migrated (${applied}/${MIGRATIONS})` : `${applied}/${MIGRATIONS} migrations applied: run \`npm run mirror -- migrate\``;
    return { level: applied >= MIGRATIONS ? 'ok' : 'fail', what: 'database', text: `${where}: reachable, PostgreSQL ${v!.version as string}, ${state}` };
  } catch (error) {
    return { level: 'fail', what: 'database', text: `${where}: ${causeMessage(error)}` };
  }
}

export function checkRedis(config: Config, info: { version?: string; error?: string }): Finding {
  const where = redactUrl(config.REDIS_URL);
  return info.error
    ? { level: 'fail', what: 'redis', text: `${where}: ${info.error}` }
    : { level: 'ok', what: 'redis', text: `${where}: reachable, Redis ${info.version ?? '?'}` };
}

export async function checkApi(config: Config): Promise<Finding> {
  const http = createHttpClient({ baseUrl: config.DATAGOUV_BASE_URL, apiKey: config.DATAGOUV_API_KEY, timeoutMs: 10_000, retries: 0 });
  const started = Date.now();
  try {
    await http.getJson('/api/1/organizations/', { query: { page_size: 1 } });
    const ms = Date.now() - started;
    let key = 'no API key (users come from the entities that reference them)';
    if (config.DATAGOUV_API_KEY) {
      const users = await http.getJson('/api/1/users/', { query: { page_size: 1 }, allowStatus: [401, 403] });
      key = users.status === 200 ? 'admin key accepted (users from the admin listing)' : `API key refused by /api/1/users/ (HTTP ${users.status}): not an admin key`;
    }
    return { level: 'ok', what: 'api', text: `${config.DATAGOUV_BASE_URL}: reachable in ${ms} ms, ${key}` };
  } catch (error) {
    return { level: 'fail', what: 'api', text: `${config.DATAGOUV_BASE_URL}: ${causeMessage(error)}` };
  } finally {
    await http.close();
  }
}

export function checkWorkers(queue: QueueState): Finding {
  if (!queue.reachable) return { level: 'fail', what: 'workers', text: `unknown (Redis unreachable)` };
  const n = queue.workers ?? 0;
  return n > 0
    ? { level: 'ok', what: 'workers', text: `${n} connected to queue ${queue.name}` }
    : { level: 'warn', what: 'workers', text: `none connected to queue ${queue.name}: queued runs wait (\`npm run mirror -- worker\`)` };
}

export function checkSchedule(queue: QueueState): Finding {
  if (!queue.reachable) return { level: 'fail', what: 'schedule', text: 'unknown (Redis unreachable)' };
  const [first, ...others] = queue.schedules ?? [];
  if (!first) return { level: 'warn', what: 'schedule', text: 'none installed (`npm run mirror -- schedule` installs the nightly sync)' };
  const more = others.length ? ` (+${others.length} other${others.length > 1 ? 's' : ''})` : '';
  return { level: 'ok', what: 'schedule', text: `${first.id} "${first.pattern ?? ''}" ${first.tz ?? ''}, next run ${first.next ?? 'unknown'}${more}` };
}

export async function checkLastRun(sql: postgres.Sql): Promise<Finding> {
  try {
    const [run] = await sql`select id::int as id, mode, status, started_at, finished_at, error from sync_runs order by id desc limit 1`;
    if (!run) return { level: 'warn', what: 'last run', text: 'none yet (`npm run mirror -- sync`)' };
    const when = new Date((run.finished_at ?? run.started_at) as string).toISOString();
    const text = `run ${run.id} (${run.mode as string}) ${run.status as string} ${run.status === 'running' ? `since ${new Date(run.started_at as string).toISOString()}` : `at ${when}`}`;
    return run.status === 'failed'
      ? { level: 'warn', what: 'last run', text: `${text}: ${(run.error as string | null) ?? 'no reason recorded'}` }
      : { level: 'ok', what: 'last run', text };
  } catch (error) {
    return { level: 'fail', what: 'last run', text: `unknown: ${causeMessage(error)}` };
  }
}
