// Entry point of the command line: the CLI from src/ with the worker from jobs/ plugged in.
import { main } from '../src/cli.ts';
import { runWorkerUntilSignal } from '../jobs/worker.ts';

process.exitCode = await main(process.argv, process.env, { runWorker: runWorkerUntilSignal });
