// Node's flags, V8's setting and glibc's malloc setting of the harvesting runtime: `npm run mirror`/
// `worker`, the bin's shebang and the image start the CLI with the flags and the malloc setting, the
// bin applies the V8 setting as it starts, and the bench runs its in-process syncs under all three
// (runtime-flags.test.ts holds every place equal). Touches V8's flags (applyRuntimeV8Settings).
import v8 from 'node:v8';

/**
 * - `--max-old-space-size=128`: V8 would otherwise let garbage pile up towards a limit sized from the
 *   machine's RAM (a full sync: 327 MB RSS for 30-50 MB live at scale 0.1).
 * - `--max-semi-space-size=8`: the young generation's two halves at 8 MB instead of 16, for more,
 *   smaller scavenges and 16-26 MB less RSS at the same CPU.
 * Both are taken by NODE_OPTIONS as well.
 */
export const NODE_RUNTIME_FLAGS: readonly string[] = ['--max-old-space-size=128', '--max-semi-space-size=8'];

/**
 * `--heap-growing-percent=200`, the price of the cap above: V8 takes a heap capped at 128 MB as
 * memory-constrained and lets the old space grow only 1.3 times what a full collection kept. A full
 * sync, which keeps 25-45 MB alive and promotes most of each page it parses (a page lives through its
 * store's round trips), then ran a full collection every 100-200 ms (64 at scale 0.1 against 10
 * uncapped) and spent about 40% more CPU. Three times (still at most half way to the cap) takes a
 * quarter of the CLI's CPU back (scale 1: 128 → 98 s). Set as the process starts (V8 reads it at each
 * collection): NODE_OPTIONS does not take it, and the shebang line, which old kernels cut at 127
 * bytes, has no room left for it.
 */
export const V8_RUNTIME_SETTINGS: readonly string[] = ['--heap-growing-percent=200'];

/** Applies V8_RUNTIME_SETTINGS, but for those the command line already sets; returns those applied. */
export function applyRuntimeV8Settings(execArgv: readonly string[] = process.execArgv): string[] {
  const named = flagNames(execArgv);
  const applied = V8_RUNTIME_SETTINGS.filter((setting) => !named.has(nameOf(setting)));
  for (const setting of applied) v8.setFlagsFromString(setting);
  return applied;
}

const nameOf = (arg: string) => arg.split('=')[0]!.replaceAll('_', '-');
const flagNames = (args: readonly string[]) => new Set(args.map(nameOf));

/**
 * `MALLOC_MMAP_THRESHOLD_=131072`: glibc's malloc serves a block of 128 KB or more by its own mapping,
 * returned to the system when freed. Left to itself, glibc raises that threshold to the size of each
 * large block freed (up to 32 MB), and a sync's page bodies and statement parameters (1-3 MB each, one
 * after another) then come from its heap, whose freed holes stay resident: 20 MB more RSS at scale 0.1,
 * and the growth factor above would not fit in 200 MB at scale 1 without it (221 MB against 188).
 * Other C libraries ignore the variable. It is this process's: the bin takes it out of the environment
 * its children (the embedded PostgreSQL) inherit.
 */
export const RUNTIME_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

/** The flags among NODE_RUNTIME_FLAGS a process was not started with, on its command line or in
 * NODE_OPTIONS (by name: a value the operator set otherwise, such as a larger old space, counts as set). */
export function missingRuntimeFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const named = flagNames([...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)]);
  return NODE_RUNTIME_FLAGS.filter((flag) => !named.has(nameOf(flag)));
}

/** The variables of RUNTIME_ENV an environment lacks (a value set otherwise counts as set). */
export function missingRuntimeEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(RUNTIME_ENV).filter(([name]) => env[name] === undefined));
}
