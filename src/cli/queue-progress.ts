// --wait on a queued run: says when no worker consumes the queue (and when one comes), and shows the
// run's progress: its jobs done out of planned, and what it has seen and changed so far. Read every
// second from Redis and PostgreSQL (the work happens in other processes). Touches Redis and Postgres.
import { Job } from 'bullmq';
import type cliProgress from 'cli-progress';
import type { Config } from '../config.ts';
import { openDb } from '../db/client.ts';
import { jobIds } from '../queue/jobs.ts';
import { liveCounts, type LiveCounts } from '../status/runs.ts';
import { startBars, stopBars, writeStderr } from '../terminal.ts';
import type { QueueHandle } from './context.ts';

const say = (line: string) => writeStderr(`${line}\n`);

/** Waits for `promise` at most `ms`: a read stuck on a server that went away never holds the command. */
function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}

interface Snapshot {
  runId?: number;
  done: number;
  total?: number;
  counts?: LiveCounts;
}

async function snapshot(queue: QueueHandle, jobId: string, db: ReturnType<typeof openDb>): Promise<Snapshot> {
  const job = await Job.fromId(queue.mirror.queue, jobId);
  const data = (job?.data ?? {}) as { runId?: number; runUuid?: string };
  const out: Snapshot = { runId: data.runId, done: 0 };
  if (data.runUuid) {
    const collect = await Job.fromId(queue.mirror.queue, jobIds.collect(data.runUuid));
    if (collect) {
      const deps = await collect.getDependenciesCount();
      out.done = (deps.processed ?? 0) + (deps.failed ?? 0) + (deps.ignored ?? 0);
      out.total = out.done + (deps.unprocessed ?? 0);
    }
  }
  if (out.runId) out.counts = (await liveCounts(db.sql, [out.runId])).get(out.runId);
  return out;
}

function describe(s: Snapshot): string {
  const c = s.counts;
  const changes = c ? `${c.seen !== undefined ? `${c.seen} seen, ` : ''}${c.inserted} inserted, ${c.updated} updated, ${c.deleted} deleted` : 'no run yet';
  return `run ${s.runId ?? '?'}: ${s.total !== undefined ? `${s.done}/${s.total} jobs` : 'planning'}, ${changes}`;
}

/** Follows a queued job's run until the returned stop is called. */
export function followQueued(config: Config, queue: QueueHandle, jobId: string, options: { tty?: boolean; intervalMs?: number } = {}): () => Promise<void> {
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  const db = openDb(config.DATABASE_URL, { max: 1, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS });
  let workers: number | undefined;
  let bar: cliProgress.SingleBar | undefined;
  let lastLine = 0;
  let lastText = '';
  let stopped = false;
  const tick = async (final = false) => {
    const count = await queue.mirror.queue.getWorkersCount().catch(() => undefined);
    if (count === 0 && workers !== 0) say(`No worker is consuming queue ${config.QUEUE_NAME}: start one with \`npm run mirror -- worker\` (this command waits for it).`);
    if (count !== undefined && count > 0 && workers === 0) say(`${count} worker${count > 1 ? 's' : ''} now consuming ${config.QUEUE_NAME}: the run goes on.`);
    if (count !== undefined) workers = count;
    const s = await snapshot(queue, jobId, db).catch(() => undefined);
    if (!s || (stopped && !final)) return;
    if (tty) {
      bar ??= startBars('{label} |{bar}| {value}/{total} jobs · {changes}').create(1, 0, { label: 'queued run', changes: '' });
      if (s.total) bar.setTotal(s.total);
      bar.update(s.done, { label: `run ${s.runId ?? '?'}`, changes: describe(s).replace(/^run \S+: [^,]*, /, '') });
    } else {
      // Without a terminal: a line when the run's state changed, at most every 2 s, and its last state.
      const text = describe(s);
      if (s.runId === undefined || text === lastText || (!final && Date.now() - lastLine < 2_000)) return;
      lastLine = Date.now();
      lastText = text;
      say(text);
    }
  };
  let running = tick();
  const timer = setInterval(() => {
    running = running.then(() => tick(), () => tick());
  }, options.intervalMs ?? 1_000);
  return async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    await atMost(running, 2_000);
    await atMost(tick(true), 2_000);
    if (bar) stopBars();
    await db.close();
  };
}
