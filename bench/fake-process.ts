// Starts bench/fake-server.ts as a child process and talks to it over its stdin/stdout. Touches child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FaultOptions } from '../src/fake-datagouv/index.ts';
import { onCleanup } from './cleanup.ts';
import type { MutationSummary } from './mutate.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface FakeStatsView {
  requests: number;
  /** Response body bytes the fake sent. */
  bytes: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  peakInFlight: number;
}

export interface FakeProcess {
  url: string;
  counts: Record<string, number>;
  pid: number;
  stats(): Promise<FakeStatsView>;
  resetStats(): Promise<void>;
  setFaults(faults: FaultOptions): Promise<void>;
  mutate(share: number, seed: number): Promise<MutationSummary>;
  close(): Promise<void>;
}

/** Waits for the child to exit, killing it if it does not within `ms`. */
export async function stopChild(child: ChildProcess, ms = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

export async function startFakeProcess(scale: number, seed: number): Promise<FakeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/fake-server.ts', String(scale), String(seed)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const close = onCleanup(`fake API (pid ${child.pid})`, async () => {
    child.stdin!.end();
    await stopChild(child);
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  const ready = new Promise<{ url: string; counts: Record<string, number> }>((resolve, reject) => {
    child.once('exit', (code, signal) => {
      const error = new Error(`the fake API process exited (${signal ?? code})`);
      reject(error);
      for (const p of pending.values()) p.reject(error);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { ready?: boolean; url: string; counts: Record<string, number>; id: number; ok: boolean; result: unknown; error?: string };
      if (message.ready) return resolve(message);
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.result);
      else waiter?.reject(new Error(`fake API: ${message.error}`));
    });
  });
  const call = <T>(cmd: string, args?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.stdin!.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  const { url, counts } = await ready;
  return {
    url,
    counts,
    pid: child.pid!,
    stats: () => call<FakeStatsView>('stats'),
    resetStats: () => call<void>('resetStats'),
    setFaults: (faults) => call<void>('setFaults', faults),
    mutate: (share, seed) => call<MutationSummary>('mutate', { share, seed }),
    close,
  };
}
