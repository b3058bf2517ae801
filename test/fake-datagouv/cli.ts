// Command line: serve the fake data.gouv.fr until SIGINT/SIGTERM (`npm run fake-api -- --scale 0.01`) (touches HTTP).
import { parseArgs } from 'node:util';
import { startFakeDatagouv } from './index.ts';
import { KINDS } from './types.ts';

function fail(text: string): never {
  process.stderr.write(`fake-api: ${text}\n`);
  process.exit(2);
}

function number(name: string, raw: string | undefined, check: (n: number) => boolean, rule: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) fail(`--${name} must be ${rule}, got '${raw}'.`);
  return n;
}

async function main(): Promise<void> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      options: { scale: { type: 'string' }, seed: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'admin-key': { type: 'string' }, 'public-url': { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)} (options: --scale --seed --port --host --admin-key --public-url).`);
  }
  const scale = number('scale', values['scale'], (n) => n > 0 && n <= 10, 'a number in (0, 10]');
  const seed = number('seed', values['seed'], Number.isInteger, 'an integer');
  const port = number('port', values['port'], (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'an integer port in [0, 65535]');
  const started = Date.now();
  const fake = await startFakeDatagouv({
    scale,
    seed,
    port,
    host: values['host'],
    adminKey: values['admin-key'],
    publicUrl: values['public-url'],
  }).catch((err: unknown) => fail(`could not start: ${err instanceof Error ? err.message : String(err)}.`));
  const counts = KINDS.map((k) => `${fake.catalog.all(k).length} ${k}`);
  process.stdout.write(`fake data.gouv.fr listening on ${fake.url} (${counts.join(', ')}; ${Date.now() - started} ms)\n`);
  const shutdown = (): void => {
    fake.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
