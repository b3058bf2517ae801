// Test helper: the CLI as ops run it (`node --import tsx bin/mirror.ts ...`) in a subprocess whose
// output is read while it runs, and a poll for events that only show in a database. Touches child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_RUNTIME_FLAGS, RUNTIME_ENV } from '../../src/runtime-flags.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Starts the CLI as ops do, with only `env` (plus PATH/HOME) in its environment; `entry`: a built
 * bin (run by node itself, as the package's bin is) instead of the sources through tsx. */
export function startCli(args: string[], env: Record<string, string>, entry?: string): Cli {
  const base = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  const command = entry ? [...NODE_RUNTIME_FLAGS, entry] : ['--import', 'tsx', 'bin/mirror.ts'];
  const child = spawn(process.execPath, [...command, ...args], { cwd: ROOT, env: { ...base, ...(entry ? RUNTIME_ENV : {}), ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function cli(args: string[], env: Record<string, string>, entry?: string) {
  const run = startCli(args, env, entry);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** The lines a person reads (JSON log lines aside). */
export const sentences = (stderr: string) => stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));

/** Polls until `probe` returns a value (the event is in the database; nothing to subscribe to). */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

