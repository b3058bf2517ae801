// `dashboard [--port 8080] [--host 127.0.0.1]`: serves the status page until Ctrl-C. Touches HTTP,
// Postgres and Redis.
import type { Config } from '../../config.ts';
import { openDb } from '../../db/client.ts';
import { redactUrl } from '../../db/migrate.ts';
import { connectRedisBriefly, createRedis } from '../../queue/connection.ts';
import { openQueue } from '../../queue/queue.ts';
import { createDashboard } from './server.ts';

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function dashboardCommand(config: Config, opts: { port: number; host: string; allowQueueActions?: boolean }): Promise<void> {
  const database = openDb(config.DATABASE_URL, { max: 4, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS });
  // Redis is optional for the page: without it the queue panel says so and the rest still shows.
  let queueError: string | undefined;
  const reachable = await connectRedisBriefly(config.REDIS_URL, 'datagouv-mirror-dashboard').then(
    (probe) => (probe.disconnect(), true),
    (error: unknown) => ((queueError = error instanceof Error ? error.message : String(error)), false),
  );
  const redis = reachable ? createRedis(config.REDIS_URL, { name: 'datagouv-mirror-dashboard' }) : undefined;
  const mirror = redis ? openQueue(redis, config.QUEUE_NAME) : undefined;
  const app = await createDashboard({ sql: database.sql, queue: mirror?.queue, queueError, database: redactUrl(config.DATABASE_URL), allowQueueActions: opts.allowQueueActions });
  try {
    await app.listen({ port: opts.port, host: opts.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    console.log(`Dashboard on http://${shown}:${port}/ (queues: http://${shown}:${port}/queues${opts.allowQueueActions ? '' : ', read-only'}); Ctrl-C stops.`);
    if (!reachable) process.stderr.write(`${queueError} The queue panel stays empty.\n`);
    await untilSignal();
  } finally {
    await app.close();
    await mirror?.close();
    redis?.disconnect();
    await database.close();
  }
}
