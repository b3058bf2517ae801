// The command line: parses arguments, then calls the same functions the jobs call. The worker is
// injected by the entry point (bin/mirror.ts) because src/ never imports jobs/.
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, oneSentence } from './cli/errors.ts';
import { loadConfig, type Config } from './config.ts';
import { LISTED_KINDS, type ListedKind } from './harvest/kinds/index.ts';
import { harvestOrgCommand, migrateCommand, runsCommand, scheduleCommand, syncCommand } from './cli/commands.ts';
import { cancelCommand } from './cli/cancel.ts';

export { CliError } from './cli/errors.ts';

export interface CliDeps {
  /** Runs a BullMQ worker until SIGTERM/SIGINT. */
  runWorker?(config: Config, options: { concurrency?: number }): Promise<void>;
}

const ENV_FLAGS: Array<[flag: string, env: keyof Config, description: string]> = [
  ['--database-url <url>', 'DATABASE_URL', 'PostgreSQL connection string (env DATABASE_URL)'],
  ['--redis-url <url>', 'REDIS_URL', 'Redis for BullMQ (env REDIS_URL)'],
  ['--base-url <url>', 'DATAGOUV_BASE_URL', 'data.gouv.fr site root (env DATAGOUV_BASE_URL)'],
  ['--log-level <level>', 'LOG_LEVEL', 'pino level (env LOG_LEVEL)'],
  ['--page-size <n>', 'DATAGOUV_PAGE_SIZE', 'listing page size (env DATAGOUV_PAGE_SIZE)'],
  ['--max-concurrency <n>', 'DATAGOUV_MAX_CONCURRENCY', 'requests in flight at once, all workers together (env DATAGOUV_MAX_CONCURRENCY)'],
  ['--requests-per-second <n>', 'DATAGOUV_REQUESTS_PER_SECOND', 'request rate, all workers together (env DATAGOUV_REQUESTS_PER_SECOND)'],
  ['--queue-name <name>', 'QUEUE_NAME', 'BullMQ queue (env QUEUE_NAME)'],
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

export function buildProgram(env: NodeJS.ProcessEnv = process.env, deps: CliDeps = {}): Command {
  const program = new Command('datagouv-mirror')
    .description('Keeps a PostgreSQL mirror of data.gouv.fr and records every change it sees.')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const [flag, , description] of ENV_FLAGS) program.option(flag, description);
  const config = () => configFrom(program, env);

  program
    .command('migrate')
    .description('create the database if missing and apply migrations (idempotent, safe to run concurrently)')
    .action(() => migrateCommand(config()));

  program
    .command('sync')
    .description('one sync run (incremental once a full run has succeeded, full before)')
    .addOption(new Option('--mode <mode>', 'full or incremental').choices(['full', 'incremental']))
    .option('--kinds <list>', `comma-separated subset of ${LISTED_KINDS.join(',')}`, parseKinds)
    .option('--queue', 'enqueue the run on BullMQ for the workers instead of running it here')
    .option('--wait', 'with --queue: wait for the run to end and exit like the in-process command')
    .action((opts: { mode?: 'full' | 'incremental'; kinds?: ListedKind[]; queue?: boolean; wait?: boolean }) => {
      if (opts.wait && !opts.queue) throw new CliError('--wait goes with --queue (without it the run happens here and the command already waits).');
      return syncCommand(config(), opts);
    });

  program
    .command('harvest-org')
    .description('re-harvest one organization: its datasets, resources, reuses and members')
    .argument('<id-or-slug>', 'organization id or slug')
    .option('--queue', 'enqueue on BullMQ instead of running here')
    .option('--wait', 'with --queue: wait for the end and exit like the in-process command')
    .action((key: string, opts: { queue?: boolean; wait?: boolean }) => {
      if (opts.wait && !opts.queue) throw new CliError('--wait goes with --queue (without it the harvest happens here and the command already waits).');
      return harvestOrgCommand(config(), key, opts);
    });

  program
    .command('worker')
    .description('a BullMQ worker; any number of them, on any number of machines, share the work')
    .option('--concurrency <n>', 'jobs this process runs at once (env WORKER_CONCURRENCY)', parsePositiveInt)
    .action(async (opts: { concurrency?: number }) => {
      if (!deps.runWorker) throw new CliError('This entry point cannot start a worker: run `npm run mirror -- worker`.');
      await deps.runWorker(config(), opts);
    });

  program
    .command('schedule')
    .description('install (idempotently) the nightly sync job scheduler')
    .option('--cron <pattern>', 'cron pattern', '0 3 * * *')
    .option('--tz <zone>', 'IANA time zone', 'Europe/Paris')
    .action((opts: { cron: string; tz: string }) => scheduleCommand(config(), opts));

  program
    .command('runs')
    .description('the latest runs with their counts, and the work queued or running')
    .option('--limit <n>', 'how many runs', parsePositiveInt, 20)
    .action((opts: { limit: number }) => runsCommand(config(), opts));

  program
    .command('cancel')
    .description('end a running run (in this process or queued) as failed; without RUN_ID, the running full or incremental run')
    .argument('[RUN_ID]', 'the run to cancel (see `runs`)', parsePositiveInt)
    .action((runId: number | undefined) => cancelCommand(config(), runId));

  return program;
}

/** Runs the CLI; failures print one sentence (a stack too with LOG_LEVEL=debug) and exit non-zero. */
export async function main(argv: string[] = process.argv, env: NodeJS.ProcessEnv = process.env, deps: CliDeps = {}): Promise<number> {
  const program = buildProgram(env, deps);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    // Printed here and only here: commands throw their failure instead of writing it themselves.
    const config = safeConfig(program, env);
    const level = config?.LOG_LEVEL ?? env.LOG_LEVEL;
    process.stderr.write(`${oneSentence(error, config?.DATABASE_URL)}\n`);
    if ((level === 'debug' || level === 'trace') && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

function safeConfig(program: Command, env: NodeJS.ProcessEnv): Config | undefined {
  try {
    return configFrom(program, env);
  } catch {
    return undefined;
  }
}
