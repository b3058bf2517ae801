#!/usr/bin/env node
// Entry point of the command line: the CLI from src/ with the worker from jobs/ plugged in. The package's
// bin is its compiled copy (dist/bin/mirror.js, built by `npm run build`); tsx runs this file in development.
import { main } from '../src/cli.ts';
import { runWorkerUntilSignal } from '../jobs/worker.ts';

process.exitCode = await main(process.argv, process.env, { runWorker: runWorkerUntilSignal });
