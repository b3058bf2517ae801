#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node --max-old-space-size=128 --max-semi-space-size=8
// Entry point of the command line: the CLI from src/ with the worker from jobs/ plugged in. The package's
// bin is its bundled copy (dist/bin/mirror.js, built by `npm run build`); tsx runs this file in development.
// Node's flags and malloc's setting (the shebang) are the runtime's, as in `npm run mirror` and the image,
// and so is the V8 setting applied here: src/runtime-flags.ts says what each one is for.
import type { CliDeps } from '../src/cli.ts';
import { applyRuntimeV8Settings, RUNTIME_ENV } from '../src/runtime-flags.ts';

applyRuntimeV8Settings();
// malloc read its setting when this process started; the embedded PostgreSQL keeps glibc's own.
for (const name of Object.keys(RUNTIME_ENV)) delete process.env[name];

// The bundle is minified: stack traces, shown at the debug level, point into the sources through its
// source maps (read only then: they cost start-up time, and only for modules loaded after this line,
// hence the CLI's import below).
if (process.env['LOG_LEVEL'] === 'debug' || process.argv.some((arg, i) => arg === '--log-level=debug' || (arg === '--log-level' && process.argv[i + 1] === 'debug'))) {
  process.setSourceMapsEnabled(true);
}

// The worker (BullMQ's Worker, every job and the pipeline) is imported only by the `worker` command.
const runWorker: NonNullable<CliDeps['runWorker']> = async (config, options) => (await import('../jobs/worker.ts')).runWorkerUntilSignal(config, options);

const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv, process.env, { runWorker });
