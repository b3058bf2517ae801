#!/usr/bin/env -S node --max-old-space-size=128
// Entry point of the command line: the CLI from src/ with the worker from jobs/ plugged in. The package's
// bin is its compiled copy (dist/bin/mirror.js, built by `npm run build`); tsx runs this file in development.
// The old space is capped as in `npm run mirror` and the image: V8 would otherwise let garbage grow
// towards a limit sized from the machine's RAM (a full sync: 300 MB RSS for 50 MB live at scale 0.1).
import { main, type CliDeps } from '../src/cli.ts';

// The worker (BullMQ's Worker, every job and the pipeline) is imported only by the `worker` command.
const runWorker: NonNullable<CliDeps['runWorker']> = async (config, options) => (await import('../jobs/worker.ts')).runWorkerUntilSignal(config, options);

process.exitCode = await main(process.argv, process.env, { runWorker });
