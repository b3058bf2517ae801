// `demo`: the mirror at work, offline, in one command: a fake data.gouv.fr in this process, a full
// sync, a scripted day of changes, an incremental sync, and what changed. Its own database, never the
// mirror's. Touches Postgres, HTTP (loopback) and the embedded server.
import type { Config, Settings } from '../config.ts';
import { runSync, type SyncOutcome } from '../harvest/run-sync.ts';
import { createRuntime } from '../runtime.ts';
import { FAKE_ADMIN_KEY, startFakeDatagouv } from '../demo/fake.ts';
import { applyScriptedDay } from '../demo/scripted-day.ts';
import { inProcess } from './commands.ts';
import { describeEmbedded, EMBEDDED_DATABASES, useEmbedded } from './database.ts';
import { freshDemoDatabase } from './demo-database.ts';
import { printChanges, printNext } from './demo-report.ts';
import { CliError } from './errors.ts';
import { formatSummary } from './format.ts';

/** Small enough for seconds, large enough for several pages per kind. */
export const DEMO_CATALOG = { datasets: 300, organizations: 15, reuses: 40, users: 150, dataservices: 10 };

export interface DemoOptions {
  /** --database-url as typed on the command line (the environment's DATABASE_URL is the mirror's: never used). */
  databaseUrl?: string;
  /** Whether --log-level was typed (otherwise the demo logs warnings only). */
  logLevelTyped: boolean;
  seed: number;
}

async function demoDatabase(settings: Settings, options: DemoOptions): Promise<string> {
  if (options.databaseUrl) {
    await freshDemoDatabase(options.databaseUrl);
    process.stderr.write(`Database: ${options.databaseUrl.replace(/:[^:@/]*@/, ':***@')} (made afresh for the demo).\n`);
    return options.databaseUrl;
  }
  const choice = await useEmbedded(settings.MIRROR_DATA_DIR, EMBEDDED_DATABASES.demo, { migrate: false, what: 'demo' });
  process.stderr.write(`${describeEmbedded(choice)}\n`);
  await freshDemoDatabase(choice.url);
  return choice.url;
}

async function syncStep(config: Config, mode: 'full' | 'incremental'): Promise<SyncOutcome> {
  const started = Date.now();
  const runtime = createRuntime(config);
  try {
    const outcome = await inProcess(runtime, (ctx) => runSync(ctx, { mode }));
    console.log(formatSummary(outcome, (Date.now() - started) / 1000));
    if (outcome.status === 'failed') throw new CliError(`The demo's ${mode} sync failed: ${outcome.error ?? 'no reason given'}`.replace(/([^.!?])$/, '$1.'));
    return outcome;
  } finally {
    await runtime.close();
  }
}

export async function demoCommand(settings: Settings, options: DemoOptions): Promise<void> {
  const started = Date.now();
  const url = await demoDatabase(settings, options);
  const fake = await startFakeDatagouv({ seed: options.seed, counts: DEMO_CATALOG, adminKey: FAKE_ADMIN_KEY });
  try {
    const config: Config = {
      ...settings,
      DATABASE_URL: url,
      DATAGOUV_BASE_URL: fake.url,
      DATAGOUV_API_KEY: FAKE_ADMIN_KEY,
      DATAGOUV_REQUESTS_PER_SECOND: 100,
      DATAGOUV_MAX_CONCURRENCY: 8,
      DATAGOUV_PAGE_SIZE: 50,
      LOG_LEVEL: options.logLevelTyped ? settings.LOG_LEVEL : 'warn',
    };
    const counts = Object.entries(DEMO_CATALOG).map(([kind, n]) => `${n} ${kind}`).join(', ');
    console.log(`A fake data.gouv.fr runs on ${fake.url} (${counts}); nothing leaves this machine.\n`);
    console.log('1/3  Full sync, with the admin key (users come from the admin listing):');
    await syncStep(config, 'full');
    const day = applyScriptedDay(fake.catalog);
    console.log(`\n2/3  A day passes on data.gouv.fr: ${day.length} edits, additions and deletions, and every metric moves.`);
    for (const m of day.slice(0, 6)) console.log(`     ${m.kind} ${m.id}: ${m.what}`);
    if (day.length > 6) console.log(`     … and ${day.length - 6} more.`);
    console.log('\n3/3  Incremental sync (ids and stamps first, then only what changed):');
    const incremental = await syncStep(config, 'incremental');
    await printChanges(url, incremental.runId);
    printNext(options.databaseUrl);
    console.log(`\nDemo done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await fake.close();
  }
}
