// The fake data.gouv.fr's command line (`npm run fake-api -- --help`): serves a seeded catalog until
// Ctrl-C, and changes it on demand (Enter: a scripted day), on a timer (--day-after) or continuously
// (--churn). Touches HTTP, stdin and stdout.
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import { FAKE_ADMIN_KEY, KINDS, rngFor, startFakeDatagouv, type FakeDatagouv } from './fake.ts';
import { applyRandomChange } from './churn.ts';
import { applyScriptedDay, type Mutation } from './scripted-day.ts';

function numberIn(min: number, max: number, what: string, integer = false) {
  return (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${what}; got "${raw}".`);
    }
    return n;
  };
}

interface Options {
  scale: number;
  seed: number;
  port: number;
  host: string;
  adminKey: string;
  publicUrl?: string;
  churn?: number;
  dayAfter?: number;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

function playDay(fake: FakeDatagouv): void {
  const done = applyScriptedDay(fake.catalog);
  say(`scripted day applied: ${done.length} changes (${summarize(done)}); an incremental sync now records them.`);
}

function summarize(done: Mutation[]): string {
  const byKind = new Map<string, number>();
  for (const m of done) byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
  return [...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ');
}

async function serve(options: Options): Promise<void> {
  const started = Date.now();
  const fake = await startFakeDatagouv({ scale: options.scale, seed: options.seed, port: options.port, host: options.host, adminKey: options.adminKey, publicUrl: options.publicUrl });
  const counts = KINDS.map((k) => `${fake.catalog.all(k).length} ${k}`);
  say(`fake data.gouv.fr listening on ${fake.url} (${counts.join(', ')}; ${Date.now() - started} ms)`);
  say(`  admin key: X-API-KEY: ${options.adminKey} (unlocks the admin-only /api/1/users/ listing)`);
  say(`  mirror it: DATAGOUV_BASE_URL=${fake.url} DATAGOUV_API_KEY=${options.adminKey} npm run mirror -- sync`);
  say('  press Enter to play a scripted day of changes; Ctrl-C stops.');
  const timers: NodeJS.Timeout[] = [];
  if (options.dayAfter !== undefined) timers.push(setTimeout(() => playDay(fake), options.dayAfter * 1000));
  if (options.churn) {
    const rng = rngFor(options.seed, 'churn');
    timers.push(
      setInterval(() => {
        const m = applyRandomChange(fake.catalog, rng);
        say(`churn: ${m.kind} ${m.id} ${m.what}`);
      }, 60_000 / options.churn),
    );
  }
  const input = createInterface({ input: process.stdin });
  input.on('line', () => playDay(fake));
  const shutdown = (): void => {
    for (const timer of timers) clearTimeout(timer);
    input.close();
    fake.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

export function buildFakeApiProgram(): Command {
  return new Command('fake-api')
    .description(
      'Serves a seeded, generated copy of the data.gouv.fr API (v1 listings and items of datasets, organizations, reuses and dataservices, the admin users listing) on loopback, ' +
        'built from real recorded responses. Same seed and scale, same catalog.',
    )
    .option('--scale <n>', 'catalog size: 1 is about 75,000 datasets, 6,000 organizations, 6,500 reuses, 71,000 users, 1,235 dataservices', numberIn(0.00001, 10, 'a number in (0, 10]'), 0.001)
    .option('--seed <n>', 'seed of the generated catalog', numberIn(-(2 ** 31), 2 ** 31, 'an integer', true), 1)
    .option('--port <n>', 'port to listen on; 0 picks a free one (printed)', numberIn(0, 65535, 'a port in [0, 65535]', true), 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--admin-key <key>', 'the X-API-KEY value that unlocks /api/1/users/ (an admin key on the real site)', FAKE_ADMIN_KEY)
    .option('--public-url <url>', 'base of the next_page, uri and page links (default: the server\'s own URL)')
    .option('--churn <n>', 'apply n random changes per minute (edits, additions, deletions) until stopped', numberIn(0.01, 60_000, 'a positive number of changes per minute'))
    .option('--day-after <seconds>', 'play the scripted day of changes once, this many seconds after start', numberIn(0, 86_400, 'seconds in [0, 86400]'))
    .addHelpText(
      'after',
      '\nWhile it runs, each line on stdin (press Enter) plays the scripted day: renamed, retagged and relicensed datasets,\n' +
        'resources added, corrected and removed, a dataset added, one deleted and one archived, an organization renamed with\n' +
        'a new member, a reuse edited and one deleted, and new metrics (which a mirror stores but does not count as changes).\n\n' +
        'Example:\n  npm run fake-api -- --scale 0.01 --port 8081 --churn 30\n' +
        '  DATAGOUV_BASE_URL=http://127.0.0.1:8081 DATAGOUV_API_KEY=fake-admin-key npm run mirror -- sync',
    )
    .action((options: Options) => serve(options));
}

buildFakeApiProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`fake-api: could not start: ${error instanceof Error ? error.message : String(error)}.\n`);
    process.exit(2);
  });
