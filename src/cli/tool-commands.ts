// The commands that let a person see the mirror work: demo, dashboard, doctor, db and sql. Registered
// on the program by src/cli.ts. Pure wiring: each command's work is in its own module.
import { InvalidArgumentError, type Command } from 'commander';
import type { Config, Settings } from '../config.ts';

// Each command's module is imported when it runs (the other commands' start-up never pays for it).
const db = () => import('./db.ts');

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}; got "${value}".`);
    }
    return n;
  };
}

export function addToolCommands(program: Command, config: () => Config, settings: () => Settings): void {
  program
    .command('demo')
    .description('offline: a fake data.gouv.fr in this process, a full sync, a scripted day of changes, an incremental sync, what changed (its own database)')
    .option('--seed <n>', 'seed of the fake catalog', wholeNumber(1), 1)
    .action(async (opts: { seed: number }) =>
      (await import('./demo.ts')).demoCommand(settings(), {
        seed: opts.seed,
        // Only a URL typed here: the environment's DATABASE_URL is the mirror's, which the demo never touches.
        databaseUrl: program.getOptionValueSource('databaseUrl') === 'cli' ? (program.opts().databaseUrl as string) : undefined,
        logLevelTyped: program.getOptionValueSource('logLevel') === 'cli',
      }),
    );

  program
    .command('dashboard')
    .description('the status page: runs, changes per day, the latest changes, totals, the queue and its workers')
    .option('--port <n>', 'port to listen on (0: a free one)', wholeNumber(0, 65_535), 8080)
    .option('--host <host>', 'address to listen on; other than loopback, anyone who reaches it sees the page', '127.0.0.1')
    .option('--allow-queue-actions', 'let /queues (bull-board) retry, promote and remove jobs; default read-only')
    .action(async (opts: { port: number; host: string; allowQueueActions?: boolean }) => (await import('./dashboard/command.ts')).dashboardCommand(config(), opts));

  program
    .command('doctor')
    .description('check the database, Redis, the API, the workers, the schedule and the last run, one line each')
    .action(async () => (await import('./doctor.ts')).doctorCommand(config()));

  program
    .command('db')
    .description('keep the embedded PostgreSQL running in the foreground and print a psql URL (Ctrl-C stops it)')
    .action(async () => (await db()).dbCommand(config()));

  program
    .command('sql')
    .description('run one SQL query against the mirror and print the rows as a table')
    .argument('<query>', 'the query, quoted')
    .option('--json', 'one JSON object per row instead of a table')
    .action(async (query: string, opts: { json?: boolean }) => (await db()).sqlCommand(config(), query, opts));
}
