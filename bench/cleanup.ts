// Everything the bench must undo (databases, child processes, queues), undone even on failure or Ctrl-C. Touches processes.

type Task = { label: string; run: () => Promise<void> };
const tasks: Task[] = [];

/** Registers an undo step; the returned function runs it now (and only once). */
export function onCleanup(label: string, run: () => Promise<void>): () => Promise<void> {
  const task: Task = { label, run };
  tasks.push(task);
  return async () => {
    const at = tasks.indexOf(task);
    if (at < 0) return;
    tasks.splice(at, 1);
    await run();
  };
}

/** Runs every pending undo step, last registered first; one failing does not stop the others. */
export async function cleanupAll(): Promise<void> {
  while (tasks.length) {
    const task = tasks.pop()!;
    try {
      await task.run();
    } catch (error) {
      process.stderr.write(`[bench] cleanup of ${task.label} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

/** Ctrl-C or SIGTERM: undo, then exit like an interrupted program. */
export function cleanupOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`[bench] ${signal}: cleaning up\n`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}
