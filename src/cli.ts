// The command line: parses arguments, then calls the same functions the jobs call. The worker is
// injected by the entry point (bin/mirror.ts) because src/ never imports jobs/.
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, oneSentence } from './cli/errors.ts';
import { ConfigError, loadSettings, type Config, type Settings } from './config.ts';
import { PACKAGE_VERSION } from './version.ts';
import { describeEmbedded, EMBEDDED_DATABASES, embeddedChoice, leaveEmbedded, useEmbedded } from './cli/database.ts';
import { LISTED_KINDS, type ListedKind } from './harvest/kinds/index.ts';
import { ENTITY_TYPES, FORMATS, OPS, parseField, parseId, parseKind, parseMoment, type ChangesArgs, type Format } from './cli/changes-options.ts';
import { addToolCommands } from './cli/tool-commands.ts';

// A command's module is imported when that command runs, so `runs` or `--help` never loads BullMQ's
// worker, the dashboard's server, the harvest pipeline or the embedded PostgreSQL (start-up ≤ 0.4 s).
const commands = () => import('./cli/commands.ts');
const schedules = () => import('./cli/schedules.ts');

export { CliError } from './cli/errors.ts';

export interface CliDeps {
  /** Runs a BullMQ worker until SIGTERM/SIGINT. */
  runWorker?(config: Config, options: { concurrency?: number }): Promise<void>;
}

const ENV_FLAGS: Array<[flag: string, env: keyof Settings, description: string]> = [
  ['--database-url <url>', 'DATABASE_URL', 'PostgreSQL connection string; unset: the embedded PostgreSQL (env DATABASE_URL)'],
  ['--data-dir <dir>', 'MIRROR_DATA_DIR', 'where the embedded PostgreSQL keeps its data, default ./data (env MIRROR_DATA_DIR)'],
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

/** The environment with command-line flags laid over it, parsed once; a bad value is named by the flag it came from. */
function settingsFrom(program: Command, env: NodeJS.ProcessEnv): Settings {
  const options = program.opts<Record<string, string | undefined>>();
  const typed = ENV_FLAGS.filter(([flag]) => options[flagKey(flag)] !== undefined);
  const overrides = Object.fromEntries(typed.map(([flag, key]) => [key, options[flagKey(flag)]]));
  const labels = Object.fromEntries(typed.map(([flag, key]) => [key, flag.split(' ')[0]!]));
  return loadSettings({ ...env, ...overrides }, labels);
}

/** The settings with the database a command uses: the embedded one when the command joined it. */
function configFrom(program: Command, env: NodeJS.ProcessEnv): Config {
  const settings = settingsFrom(program, env);
  const url = embeddedChoice()?.url ?? settings.DATABASE_URL;
  if (!url) throw new ConfigError('This command uses no database: DATABASE_URL is not known here.');
  return { ...settings, DATABASE_URL: url };
}

/** Commands that never touch PostgreSQL: they start no embedded server. */
const WITHOUT_DATABASE = new Set(['schedule', 'demo', 'help']);

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
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .version(PACKAGE_VERSION, '-V, --version', 'print the version and exit')
    .configureHelp({ showGlobalOptions: true });
  for (const [flag, , description] of ENV_FLAGS) program.option(flag, description);
  program.option('--demo', "use the demo's embedded database (the one `demo` fills) instead of the mirror's");
  const config = () => configFrom(program, env);
  const settings = () => settingsFrom(program, env);

  // Without DATABASE_URL (or with --demo) a command joins the embedded server before it runs, and says so first.
  program.hook('preAction', async (_program, action) => {
    if (WITHOUT_DATABASE.has(action.name())) return;
    const demo = Boolean(program.opts().demo);
    const current = settingsFrom(program, env);
    if (current.DATABASE_URL && !demo) return;
    const database = demo ? EMBEDDED_DATABASES.demo : EMBEDDED_DATABASES.mirror;
    const choice = await useEmbedded(current.MIRROR_DATA_DIR, database, { migrate: action.name() !== 'migrate', what: action.name() });
    process.stderr.write(`${describeEmbedded(choice)}\n`);
  });

  program
    .command('migrate')
    .description('create the database if missing and apply migrations (idempotent, safe to run concurrently)')
    .action(async () => (await commands()).migrateCommand(config()));

  program
    .command('sync')
    .description('one sync run (incremental once a full run has succeeded, full before)')
    .addOption(new Option('--mode <mode>', 'full or incremental').choices(['full', 'incremental']))
    .option('--kinds <list>', `comma-separated subset of ${LISTED_KINDS.join(',')}`, parseKinds)
    .option('--queue', 'enqueue the run on BullMQ for the workers instead of running it here')
    .option('--wait', 'with --queue: wait for the run to end and exit like the in-process command')
    .action(async (opts: { mode?: 'full' | 'incremental'; kinds?: ListedKind[]; queue?: boolean; wait?: boolean }) => {
      if (opts.wait && !opts.queue) throw new CliError('--wait goes with --queue (without it the run happens here and the command already waits).');
      return (await commands()).syncCommand(config(), opts);
    });

  program
    .command('harvest-org')
    .description('re-harvest one organization: its datasets, resources, reuses and members')
    .argument('<id-or-slug>', 'organization id or slug')
    .option('--queue', 'enqueue on BullMQ instead of running here')
    .option('--wait', 'with --queue: wait for the end and exit like the in-process command')
    .action(async (key: string, opts: { queue?: boolean; wait?: boolean }) => {
      if (opts.wait && !opts.queue) throw new CliError('--wait goes with --queue (without it the harvest happens here and the command already waits).');
      return (await commands()).harvestOrgCommand(config(), key, opts);
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
    .description('install (idempotently) the nightly sync job scheduler; --list shows it, --remove removes it')
    .option('--cron <pattern>', 'cron pattern', '0 3 * * *')
    .option('--tz <zone>', 'IANA time zone', 'Europe/Paris')
    .option('--list', 'list the installed schedules with their next run, change nothing')
    .option('--remove', 'remove the nightly schedule (queued and running work is left alone)')
    .action(async (opts: { cron: string; tz: string; list?: boolean; remove?: boolean }) => {
      if (opts.list && opts.remove) throw new CliError('--list and --remove go alone: pick one.');
      if (opts.list) return (await schedules()).listSchedulesCommand(settings());
      if (opts.remove) return (await schedules()).removeScheduleCommand(settings());
      return (await commands()).scheduleCommand(settings(), opts);
    });

  program
    .command('runs')
    .description('the latest runs with their counts, and the work queued or running')
    .option('--limit <n>', 'how many runs', parsePositiveInt, 20)
    .option('--json', 'the runs as one JSON array (sync_runs columns), without the queue')
    .action(async (opts: { limit: number; json?: boolean }) => (await import('./cli/runs.ts')).runsCommand(config(), opts));

  const moment = (bound: 'since' | 'until') => (value: string) => (parseMoment(value, bound), value);
  program
    .command('changes')
    .description('the recorded changes with old → new values (a table on a terminal, NDJSON otherwise)')
    .option('--since <when>', 'from this moment: 2026-11-30 (UTC day), 2026-11-30T08:00, or back from now: 24h, 7d', moment('since'))
    .option('--until <when>', 'up to this moment (a date: to the end of that day)', moment('until'))
    .option('--kind <kind>', `entity type: ${ENTITY_TYPES.join(', ')}`, parseKind)
    .option('--id <id>', 'one entity', parseId)
    .option('--org <id>', "changes of one organization's entities (as they were when observed)", parseId)
    .option('--field <key>', 'updates and restores that changed this top-level key, that field only', parseField)
    .addOption(new Option('--op <op>', 'one operation').choices(OPS))
    .option('--stamps', 'also show modification stamps (internal, last_modified, ...) and updates of stamps only')
    .option('--limit <n>', 'the latest N changes (default 50 on a terminal, all otherwise)', parsePositiveInt)
    .addOption(new Option('--format <format>', 'default: table on a terminal, ndjson otherwise').choices(FORMATS))
    .action(async (opts: ChangesArgs & { format?: Format }) => (await import('./cli/changes.ts')).changesCommand(config(), opts));

  program
    .command('grant-reader')
    .description("create (if missing) a LOGIN role that can read the mirror's tables, views and functions and nothing else, now and after later migrations")
    .argument('<role>', 'the role name, as typed (case kept)')
    .action(async (role: string) => (await import('./cli/grant-reader.ts')).grantReaderCommand(config(), role));

  program
    .command('cancel')
    .description('end a running run (in this process or queued) as failed; without RUN_ID, the running full or incremental run')
    .argument('[RUN_ID]', 'the run to cancel (see `runs`)', parsePositiveInt)
    .action(async (runId: number | undefined) => (await import('./cli/cancel.ts')).cancelCommand(config(), runId));

  addToolCommands(program, config, settings);

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
    const settings = safeSettings(program, env);
    const level = settings?.LOG_LEVEL ?? levelTyped(argv) ?? env.LOG_LEVEL;
    process.stderr.write(`${oneSentence(error, embeddedChoice()?.url ?? settings?.DATABASE_URL)}\n`);
    if ((level === 'debug' || level === 'trace') && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  } finally {
    await leaveEmbedded().catch((error: unknown) => process.stderr.write(`${oneSentence(error)}\n`));
  }
}

function safeSettings(program: Command, env: NodeJS.ProcessEnv): Settings | undefined {
  try {
    return settingsFrom(program, env);
  } catch {
    return undefined;
  }
}

/** `--log-level X` as typed, for when the settings themselves are what failed. */
function levelTyped(argv: string[]): string | undefined {
  const at = argv.findIndex((a) => a === '--log-level' || a.startsWith('--log-level='));
  if (at < 0) return undefined;
  return argv[at]!.includes('=') ? argv[at]!.split('=')[1] : argv[at + 1];
}
