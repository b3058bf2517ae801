// `npm run bench -- [--scale 0.1] [--scenarios a,b] [--seed 1]`: DESIGN §5's scenarios as JSON lines; exit 0 even when a target is missed. Touches Postgres, Redis, HTTP, child processes.
import { ArgsError, parseBenchArgs, type Scenario } from './args.ts';
import { startCatalog, type CatalogState } from './catalog.ts';
import { rssLine } from './rss-scenario.ts';
import { fullLine, incrementalLine, resyncLine } from './sync-scenarios.ts';
import { asofLine } from './asof.ts';
import { cleanupAll, cleanupOnSignals } from './cleanup.ts';
import { dropLeftoverDatabases } from './databases.ts';
import { latencyLine, workersLine } from './latency-scenarios.ts';
import { printLine, say, type Line } from './report.ts';
import { writeFloorLine } from './write-floor.ts';
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { applyRuntimeV8Settings, missingRuntimeEnv, missingRuntimeFlags } from '../src/runtime-flags.ts';

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\.?$/, '.');

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  cleanupOnSignals();
  const leftovers = await dropLeftoverDatabases();
  if (leftovers.length) say(`dropped ${leftovers.length} database(s) left by dead bench runs`);
  const broken: string[] = [];
  const want = (s: Scenario) => args.scenarios.includes(s);
  let catalog: CatalogState | undefined;
  const scenarios: Array<[Scenario, () => Promise<Line>]> = [
    ['full', () => fullLine(catalog!)],
    // Right after the full sync, while its database holds only what that run wrote.
    ['write-floor', () => writeFloorLine(catalog!)],
    ['resync', () => resyncLine(catalog!)],
    ['rss', () => rssLine(catalog!)],
    // Both key modes' full syncs come before the one churn both incrementals measure.
    ['incremental', () => incrementalLine(catalog!, 'anonymous', want('incremental-admin') ? ['admin'] : [])],
    ['incremental-admin', () => incrementalLine(catalog!, 'admin')],
    ['asof', () => asofLine(catalog!)],
    ['latency', () => latencyLine(args)],
    ['workers', () => workersLine(args)],
  ];
  const CATALOG_SCENARIOS: Scenario[] = ['full', 'write-floor', 'resync', 'rss', 'incremental', 'incremental-admin', 'asof'];
  const needsCatalog = CATALOG_SCENARIOS.some(want);
  const fail = (name: string, text: string) => {
    broken.push(`${name}: ${text}`);
    printLine({ scenario: name, scale: args.scale, seconds: null, baseline_seconds: null, ratio: null, target: 'n/a', ok: false, error: text });
  };
  try {
    let catalogError: string | undefined;
    if (needsCatalog) {
      // The catalog scenarios share one fake: if it cannot start, they all report it.
      catalog = await startCatalog(args).catch((error: unknown) => {
        catalogError = `the fake API could not start: ${message(error)}`;
        return undefined;
      });
    }
    for (const [name, line] of scenarios) {
      if (!want(name)) continue;
      if (catalogError && !catalog && CATALOG_SCENARIOS.includes(name)) {
        fail(name, catalogError);
        continue;
      }
      try {
        printLine(await line());
      } catch (error) {
        fail(name, message(error));
      }
    }
  } finally {
    await cleanupAll();
  }
  if (broken.length) {
    process.stderr.write(`bench: ${broken.length} scenario(s) broke: ${broken.join(' ')}\n`);
    return 1;
  }
  return 0;
}

/** The in-process syncs (full, resync, incremental, the floor beside them) measure the runtime as it ships:
 * a bench started without its Node flags or malloc setting runs itself again under them and exits as that
 * run does. The run gets a process group of its own, so that a signal to this one's group (Ctrl-C,
 * `timeout`, a CI cancel) reaches it once, passed on from here, and its cleanup runs. */
async function underRuntimeFlags(): Promise<number | undefined> {
  const missing = missingRuntimeFlags(process.execArgv, process.env['NODE_OPTIONS']);
  const env = missingRuntimeEnv(process.env);
  if (missing.length === 0 && Object.keys(env).length === 0) return undefined;
  const child = spawn(process.execPath, [...missing, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
    detached: true,
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0))));
}

const rerun = await underRuntimeFlags();
if (rerun !== undefined) process.exit(rerun);
applyRuntimeV8Settings();

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    await cleanupAll();
    const text = error instanceof ArgsError ? error.message : `the bench could not run: ${message(error)}`;
    process.stderr.write(`bench: ${text}\n`);
    if (process.env['LOG_LEVEL'] === 'debug' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exit(error instanceof ArgsError ? 2 : 1);
  },
);
