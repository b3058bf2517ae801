// The status page in a real browser: Debian's Chromium driven by playwright-core against the dashboard
// served over a mirror that synced twice from the fake. It must show the synced runs, the chart of
// changes per day, a change with its old → new value, the totals and the queue, pick up a new run by
// itself, and serve bull-board read-only. Touches Postgres, Redis, HTTP and a browser process.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDashboard } from '../../src/cli/dashboard/server.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { openQueue, type MirrorQueue } from '../../src/queue/queue.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { obliterateQueue, uniqueQueueName } from '../support/queue.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

type Obj = Record<string, unknown>;

describe('dashboard in Chromium', () => {
  let h: Harness;
  let dir: string;
  let redis: Redis;
  let mirror: MirrorQueue;
  let queueName: string;
  let app: Awaited<ReturnType<typeof createDashboard>>;
  let url: string;
  let browser: BrowserContext;
  let page: Page;
  let oldTitle: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dgm-dashboard-'));
    h = await startHarness({ fake: { seed: 8, counts: { datasets: 60, organizations: 6, reuses: 8, users: 30, dataservices: 2 } } });
    await h.sync({ mode: 'full' });
    const id = h.fake.catalog.visible('datasets')[3]!;
    oldTitle = (h.fake.catalog.get('datasets', id) as Obj).title as string;
    h.fake.catalog.editDataset(id, { title: 'Titre vu sur le tableau de bord' });
    await h.sync();
    queueName = uniqueQueueName();
    redis = createRedis(inject('redisUrl'));
    mirror = openQueue(redis, queueName);
    app = await createDashboard({ sql: h.database.sql, queue: mirror.queue as Queue, database: 'test database' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1000 },
    });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await mirror?.close();
    await redis?.quit();
    if (queueName) await obliterateQueue(queueName);
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the synced runs, the chart, a change with old → new values, the totals and the queue', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.waitForSelector('#runs tr[data-status="succeeded"]');
    expect(await page.locator('#runs tbody tr').count()).toBe(2);
    expect(await page.locator('#runs tbody').innerText()).toMatch(/incremental[\s\S]*full/);
    // The chart: one day of changes, a dataset series among its bars.
    await page.waitForFunction("document.getElementById('chart')?.dataset.days === '1'");
    const series = await page.evaluate(() => {
      const chart = (globalThis as unknown as { Chart: { getChart(id: string): { data: { datasets: Array<{ label: string; data: number[] }> } } | undefined } }).Chart.getChart('chart');
      return chart?.data.datasets.map((d) => [d.label, d.data[0]]);
    });
    expect(series).toContainEqual(['dataset', expect.any(Number)]);
    const [counted] = await h.database.sql`select count(*)::int as n from changes where entity_type = 'dataset'`;
    expect(Object.fromEntries(series!)['dataset']).toBe(counted!.n);
    const change = page.locator('#changes li.change[data-op="update"]', { hasText: 'Titre vu sur le tableau de bord' }).first();
    await expect.poll(() => change.count()).toBe(1);
    expect(await change.locator('.field').first().innerText()).toBe(`title: "${oldTitle.slice(0, 69)}${oldTitle.length > 70 ? '…' : ''}" → "Titre vu sur le tableau de bord"`);
    expect(await page.locator('#totals .tile[data-kind="datasets"] .n').innerText()).toBe(String(h.fake.catalog.visible('datasets').length));
    expect(await page.locator('#queue').innerText()).toContain(queueName);
    expect(await page.locator('#queue [data-workers]').innerText()).toBe('0');
    const shot = path.join(dir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    if (process.env.DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true });
    expect(errors).toEqual([]);
  });

  it('refreshes by itself when a new run lands', async () => {
    const before = await page.locator('#updated').getAttribute('data-at');
    h.fake.catalog.editDataset(h.fake.catalog.visible('datasets')[5]!, { title: 'Arrivé sans recharger la page' });
    await h.sync();
    await page.waitForSelector('#runs tbody tr:nth-child(3)', { timeout: 15_000 });
    await page.locator('#changes', { hasText: 'Arrivé sans recharger la page' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#updated').getAttribute('data-at')).not.toBe(before);
  });

  it('serves bull-board under /queues, read-only', async () => {
    const response = await page.goto(`${url}/queues`);
    expect(response?.status()).toBe(200);
    const api = await page.request.get(`${url}/queues/api/queues`);
    const body = (await api.json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    expect(body.queues).toEqual([expect.objectContaining({ name: queueName, readOnlyMode: true })]);
  });
});
