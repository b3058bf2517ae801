#!/usr/bin/env node
// Entry point of the command line: the CLI from src/ with the worker from jobs/ plugged in. The package's
// bin is its compiled copy (dist/bin/mirror.js, built by `npm run build`); tsx runs this file in development.
import { main, type CliDeps } from '../src/cli.ts';

// The worker (BullMQ's Worker, every job and the pipeline) is imported only by the `worker` command.
const runWorker: NonNullable<CliDeps['runWorker']> = async (config, options) => (await import('../jobs/worker.ts')).runWorkerUntilSignal(config, options);

process.exitCode = await main(process.argv, process.env, { runWorker });
