// The command line: parses arguments, then calls the same functions the jobs call. Touches everything through them.
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { runMigrations, redactUrl } from './db/migrate.ts';
import { listRuns } from './db/runs.ts';
import { formatRuns, formatSummary } from './cli/format.ts';
import { LISTED_KINDS, type ListedKind } from './harvest/kinds/index.ts';
import { createProgress } from './harvest/progress.ts';
import { runSync } from './harvest/run-sync.ts';
import { createRuntime } from './runtime.ts';

/** A failure the user can act on: printed as one sentence, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

const ENV_FLAGS: Array<[flag: string, env: keyof Config, description: string]> = [
  ['--database-url <url>', 'DATABASE_URL', 'PostgreSQL connection string (env DATABASE_URL)'],
  ['--redis-url <url>', 'REDIS_URL', 'Redis for BullMQ (env REDIS_URL)'],
  ['--base-url <url>', 'DATAGOUV_BASE_URL', 'data.gouv.fr site root (env DATAGOUV_BASE_URL)'],
  ['--log-level <level>', 'LOG_LEVEL', 'pino level (env LOG_LEVEL)'],
  ['--page-size <n>', 'DATAGOUV_PAGE_SIZE', 'listing page size (env DATAGOUV_PAGE_SIZE)'],
  ['--max-concurrency <n>', 'DATAGOUV_MAX_CONCURRENCY', 'requests in flight at once (env DATAGOUV_MAX_CONCURRENCY)'],
  ['--requests-per-second <n>', 'DATAGOUV_REQUESTS_PER_SECOND', 'request rate (env DATAGOUV_REQUESTS_PER_SECOND)'],
];

function flagKey(flag: string): string {
  return flag.replace(/^--/, '').split(' ')[0]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The environment with command-line flags laid over it, parsed once. */
function configFrom(program: Command, env: NodeJS.ProcessEnv): Config {
  const options = program.opts<Record<string, string | undefined>>();
  const overrides = Object.fromEntries(
    ENV_FLAGS.map(([flag, key]) => [key, options[flagKey(flag)]]).filter(([, value]) => value !== undefined),
  );
  return loadConfig({ ...env, ...overrides });
}

function parseKinds(value: string): ListedKind[] {
  const kinds = value.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(LISTED_KINDS as string[]).includes(k));
  if (unknown.length || kinds.length === 0) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${LISTED_KINDS.join(', ')}; got "${value}".`);
  }
  return [...new Set(kinds)] as ListedKind[];
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive whole number; got "${value}".`);
  return n;
}

function notYet(what: string): never {
  throw new CliError(`${what} is not available in this version yet.`);
}

export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('datagouv-mirror')
    .description('Keeps a PostgreSQL mirror of data.gouv.fr and records every change it sees.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const [flag, , description] of ENV_FLAGS) program.option(flag, description);

  program
    .command('migrate')
    .description('create the database if missing and apply migrations (idempotent, safe to run concurrently)')
    .action(async () => {
      const config = configFrom(program, env);
      const { created } = await runMigrations(config.DATABASE_URL);
      console.log(`${created ? 'Created and migrated' : 'Migrated'} ${redactUrl(config.DATABASE_URL)}.`);
    });

  program
    .command('sync')
    .description('one sync run in this process (incremental once a full run has succeeded, full before)')
    .addOption(new Option('--mode <mode>', 'full or incremental').choices(['full', 'incremental']))
    .option('--kinds <list>', `comma-separated subset of ${LISTED_KINDS.join(',')}`, parseKinds)
    .option('--queue', 'enqueue the run on BullMQ instead of running it here')
    .option('--wait', 'with --queue: wait for the run to end and exit like the in-process command')
    .action(async (opts: { mode?: 'full' | 'incremental'; kinds?: ListedKind[]; queue?: boolean; wait?: boolean }) => {
      if (opts.queue || opts.wait) notYet('sync --queue');
      const config = configFrom(program, env);
      const runtime = createRuntime(config);
      const started = Date.now();
      try {
        const outcome = await runSync(
          {
            sql: runtime.database.sql,
            db: runtime.database.db,
            http: runtime.http,
            logger: runtime.logger,
            hasApiKey: Boolean(config.DATAGOUV_API_KEY),
            pageSize: config.DATAGOUV_PAGE_SIZE,
            concurrency: config.DATAGOUV_MAX_CONCURRENCY,
            sweepMaxShare: config.SWEEP_MAX_SHARE,
            usersPerRun: config.USERS_REFRESH_PER_RUN,
            progress: createProgress({ tty: Boolean(process.stderr.isTTY), logger: runtime.logger }),
          },
          { mode: opts.mode, kinds: opts.kinds },
        );
        console.log(formatSummary(outcome, (Date.now() - started) / 1000));
        if (outcome.status === 'failed') throw new CliError(`Run ${outcome.runId} failed: ${outcome.error}`);
      } finally {
        await runtime.close();
      }
    });

  program
    .command('harvest-org')
    .description("re-harvest one organization: its datasets, resources, reuses and members")
    .argument('<id-or-slug>', 'organization id or slug')
    .option('--queue', 'enqueue on BullMQ instead of running here')
    .option('--wait', 'with --queue: wait for the end')
    .action(() => notYet('harvest-org'));

  program
    .command('worker')
    .description('a BullMQ worker; any number of them share the work')
    .option('--concurrency <n>', 'jobs processed at once', parsePositiveInt)
    .action(() => notYet('worker'));

  program
    .command('schedule')
    .description('install (idempotently) the nightly sync job scheduler')
    .option('--cron <pattern>', 'cron pattern', '0 3 * * *')
    .option('--tz <zone>', 'time zone', 'Europe/Paris')
    .action(() => notYet('schedule'));

  program
    .command('runs')
    .description('the latest sync runs with their counts')
    .option('--limit <n>', 'how many runs', parsePositiveInt, 20)
    .action(async (opts: { limit: number }) => {
      const config = configFrom(program, env);
      const runtime = createRuntime(config);
      try {
        console.log(formatRuns(await listRuns(runtime.database.db, opts.limit)));
      } finally {
        await runtime.close();
      }
    });

  return program;
}

/** Runs the CLI; failures print one sentence (a stack too with LOG_LEVEL=debug) and exit non-zero. */
export async function main(argv: string[] = process.argv, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    await buildProgram(env).parseAsync(argv);
    return 0;
  } catch (error) {
    const debug = env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
    process.stderr.write(`${oneSentence(error)}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

function oneSentence(error: unknown): string {
  if (error instanceof ConfigError || error instanceof CliError) return error.message;
  if (error instanceof Error) return `${error.message.replace(/\.?$/, '.')}`;
  return String(error);
}

const invokedDirectly = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('datagouv-mirror.js');
if (invokedDirectly) {
  main().then((code) => {
    process.exitCode = code;
  });
}

