// The commands that let a person see the mirror work: demo, dashboard, doctor, db and sql. Registered
// on the program by src/cli.ts. Pure wiring: each command's work is in its own module.
import { InvalidArgumentError, type Command } from 'commander';
import type { Config, Settings } from '../config.ts';
import { dashboardCommand } from './dashboard/command.ts';
import { dbCommand, sqlCommand } from './db.ts';
import { demoCommand } from './demo.ts';
import { doctorCommand } from './doctor.ts';

function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}; got "${value}".`);
    return n;
  };
}

export function addToolCommands(program: Command, config: () => Config, settings: () => Settings): void {
  program
    .command('demo')
    .description('offline: a fake data.gouv.fr in this process, a full sync, a scripted day of changes, an incremental sync, what changed (its own database)')
    .option('--seed <n>', 'seed of the fake catalog', wholeNumber(1), 1)
    .action((opts: { seed: number }) =>
      demoCommand(settings(), {
        seed: opts.seed,
        // Only a URL typed here: the environment's DATABASE_URL is the mirror's, which the demo never touches.
        databaseUrl: program.getOptionValueSource('databaseUrl') === 'cli' ? (program.opts().databaseUrl as string) : undefined,
        logLevelTyped: program.getOptionValueSource('logLevel') === 'cli',
      }),
    );

  program
    .command('dashboard')
    .description('the status page: runs, changes per day, the latest changes, totals, the queue and its workers')
    .option('--port <n>', 'port to listen on (0: a free one)', wholeNumber(0), 8080)
    .option('--host <host>', 'address to listen on; other than loopback, anyone who reaches it sees the page', '127.0.0.1')
    .option('--allow-queue-actions', 'let /queues (bull-board) retry, promote and remove jobs; default read-only')
    .action((opts: { port: number; host: string; allowQueueActions?: boolean }) => dashboardCommand(config(), opts));

  program
    .command('doctor')
    .description('check the database, Redis, the API, the workers, the schedule and the last run, one line each')
    .action(() => doctorCommand(config()));

  program
    .command('db')
    .description('keep the embedded PostgreSQL running in the foreground and print a psql URL (Ctrl-C stops it)')
    .action(() => dbCommand(config()));

  program
    .command('sql')
    .description('run one SQL query against the mirror and print the rows as a table')
    .argument('<query>', 'the query, quoted')
    .option('--json', 'one JSON object per row instead of a table')
    .action((query: string, opts: { json?: boolean }) => sqlCommand(config(), query, opts));
}
