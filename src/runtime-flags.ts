// Node's flags of the harvesting runtime: `npm run mirror`/`worker`, the bin's shebang and the image
// start the CLI with them, and the bench runs its in-process syncs under them (runtime-flags.test.ts
// holds every place equal). Pure.

/**
 * - `--max-old-space-size=128`: V8 would otherwise let garbage pile up towards a limit sized from the
 *   machine's RAM (a full sync: 327 MB RSS for 30-50 MB live at scale 0.1). The cap costs CPU: V8 then
 *   takes the heap as memory-constrained and lets the old space grow only 1.3 times what a full
 *   collection kept, so a sync runs one every 100-200 ms (64 in a scale 0.1 full sync against 10
 *   uncapped) and its process spends about 40% more CPU (docs/benchmarks.md). A larger growth
 *   (`--heap-growing-percent=100`) took a fifth of that CPU back but peaked at 213 MB at scale 1.
 * - `--max-semi-space-size=8`: the young generation's two halves at 8 MB instead of 16, for more,
 *   smaller scavenges: 26 MB less RSS at the peak of a full sync (197 → 171 MB at scale 0.1; 194 MB at
 *   scale 1) for the same CPU.
 */
export const NODE_RUNTIME_FLAGS: readonly string[] = ['--max-old-space-size=128', '--max-semi-space-size=8'];

/** The flags among NODE_RUNTIME_FLAGS a process was not started with (by name: a value the operator
 * set otherwise, such as a larger old space, counts as set). */
export function missingRuntimeFlags(execArgv: readonly string[]): string[] {
  const named = new Set(execArgv.map((arg) => arg.split('=')[0]!.replaceAll('_', '-')));
  return NODE_RUNTIME_FLAGS.filter((flag) => !named.has(flag.split('=')[0]!));
}
