// Child process serving the fake data.gouv.fr (so the bench's CPU and RSS are the mirror's own), driven by JSON-line commands on stdin. Touches HTTP.
import { createInterface } from 'node:readline';
import { startFakeDatagouv, type FaultOptions } from '../src/fake-datagouv/index.ts';
import { mutateDatasets } from './mutate.ts';

const [scaleArg, seedArg] = process.argv.slice(2);
const fake = await startFakeDatagouv({ scale: Number(scaleArg), seed: Number(seedArg) });
const counts = Object.fromEntries((['datasets', 'organizations', 'reuses', 'users', 'dataservices'] as const).map((k) => [k, fake.catalog.all(k).length]));
/** The first line announces the server; every later line answers one command: {id, ok, result | error}. */
const write = (message: unknown): boolean => process.stdout.write(`${JSON.stringify(message)}\n`);
write({ ready: true, url: fake.url, counts });

/** Commands: stats, resetStats, setFaults (FaultOptions), mutate ({share, seed}), referencedUsers; `close` (or stdin closing) exits. */
async function handle(cmd: string, args: Record<string, unknown>): Promise<unknown> {
  switch (cmd) {
    case 'stats': {
      const { requests, bytes, byRoute, byStatus, peakInFlight, faultsInjected } = fake.stats;
      return { requests, bytes, byRoute, byStatus, peakInFlight, faultsInjected };
    }
    case 'resetStats':
      fake.resetStats();
      return null;
    case 'setFaults':
      await fake.setFaults(args as FaultOptions);
      return null;
    case 'mutate':
      return mutateDatasets(fake.catalog, Number(args['share']), Number(args['seed']));
    case 'referencedUsers':
      return fake.catalog.referencedUserIds().length;
    default:
      throw new Error(`unknown command ${cmd}`);
  }
}

const shutdown = () => void fake.close().finally(() => process.exit(0));
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { id, cmd, args } = JSON.parse(line) as { id: number; cmd: string; args?: Record<string, unknown> };
  if (cmd === 'close') return shutdown();
  handle(cmd, args ?? {}).then(
    (result) => write({ id, ok: true, result }),
    (error: unknown) => write({ id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
lines.on('close', shutdown);
process.once('SIGTERM', shutdown);
