// The status page's HTTP server (fastify): the page and its script, Chart.js served from node_modules,
// /api/status, and bull-board under /queues (read-only unless asked). Touches HTTP, Postgres and Redis.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import type postgres from 'postgres';
import { PACKAGE_ROOT } from '../../package-root.ts';
import { readStatus } from './status.ts';

/** Served as is from the sources, also when the code runs compiled from dist/. */
const PUBLIC = path.join(PACKAGE_ROOT, 'src', 'cli', 'dashboard', 'public');
const require = createRequire(import.meta.url);
/** Chart.js's own browser build, as the package ships it: no bundler, no build step. */
const CHART_JS = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: path.join(PUBLIC, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: path.join(PUBLIC, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: path.join(PUBLIC, 'style.css'), type: 'text/css; charset=utf-8' },
  '/vendor/chart.umd.min.js': { file: CHART_JS, type: 'text/javascript; charset=utf-8' },
};

export interface DashboardOptions {
  sql: postgres.Sql;
  /** The mirror's queue; undefined when Redis could not be reached at start (`queueError` says why). */
  queue?: Queue;
  queueError?: string;
  /** The database shown in the header (redacted). */
  database: string;
  /** Let bull-board retry, promote and remove jobs. Default false: it only shows them. */
  allowQueueActions?: boolean;
}

export async function createDashboard(options: DashboardOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  for (const [route, asset] of Object.entries(ASSETS)) {
    const body = readFileSync(asset.file); // read once: the files ship with the package
    app.get(route, async (_request, reply) => reply.type(asset.type).header('cache-control', 'no-cache').send(body));
  }
  app.get('/api/status', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return readStatus(options.sql, options.queue, options.database, options.queueError);
  });
  if (options.queue) {
    const board = new FastifyAdapter();
    const readOnlyMode = !options.allowQueueActions;
    createBullBoard({
      queues: [new BullMQAdapter(options.queue, { readOnlyMode, allowRetries: !readOnlyMode })],
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'datagouv-mirror' } },
    });
    board.setBasePath('/queues');
    await app.register(board.registerPlugin(), { prefix: '/queues' });
  }
  return app;
}
