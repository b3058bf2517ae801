// Progress of a long run: one updating line on a TTY, a structured log line every few seconds otherwise. Touches stderr.
import type { Logger } from '../logger.ts';

export interface ProgressSink {
  /** `done` of `total` pages of `kind` (total may still be unknown). */
  update(kind: string, done: number, total: number | undefined, items: number): void;
  end(): void;
}

export const silentProgress: ProgressSink = { update() {}, end() {} };

export function createProgress(options: { tty: boolean; logger: Logger; intervalMs?: number }): ProgressSink {
  const interval = options.intervalMs ?? (options.tty ? 200 : 10_000);
  const state = new Map<string, { done: number; total: number | undefined; items: number }>();
  let last = 0;
  let current = '';
  const render = () =>
    [...state.entries()]
      .map(([kind, s]) => `${kind} ${s.done}/${s.total ?? '?'} pages (${s.items} items)`)
      .join(' | ');
  return {
    update(kind, done, total, items) {
      state.set(kind, { done, total, items });
      current = kind;
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      if (options.tty) process.stderr.write(`\r\x1b[2K${render()}`);
      else {
        const s = state.get(current)!;
        options.logger.info({ kind: current, pages: s.done, totalPages: s.total, items: s.items }, 'progress');
      }
    },
    end() {
      if (options.tty && last > 0) process.stderr.write(`\r\x1b[2K${render()}\n`);
    },
  };
}
