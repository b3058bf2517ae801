// The layers of the code base: no import cycle, and no lower layer importing a higher one
// (base and the fake data.gouv.fr < api < db and the embedded server < harvest < queue < cli and the
// demo; jobs/ and bin/ on top; test-only code never imported).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LAYERS = ['base', 'api', 'db', 'harvest', 'queue', 'cli', 'jobs', 'bin'] as const;

function layerOf(file: string): (typeof LAYERS)[number] | 'test' {
  if (file.startsWith('test/')) return 'test';
  if (file.startsWith('jobs/')) return 'jobs';
  if (file.startsWith('bin/')) return 'bin';
  const [, second] = file.split('/');
  // The CLI's entry and its composition root (config -> logger, pool, HTTP client) sit with the CLI.
  if (second === 'cli.ts' || second === 'runtime.ts' || second === 'demo') return 'cli';
  // The embedded PostgreSQL server sits with the database layer; the fake data.gouv.fr stands alone.
  if (second === 'embedded') return 'db';
  return (LAYERS as readonly string[]).includes(second ?? '') ? (second as (typeof LAYERS)[number]) : 'base';
}

describe('layering', async () => {
  const graph = await madge(['src', 'jobs', 'bin'], {
    baseDir: ROOT,
    fileExtensions: ['ts'],
    detectiveOptions: { ts: { skipTypeImports: false } },
  });

  it('has no import cycle', () => {
    expect(graph.circular()).toEqual([]);
  });

  it('never imports a higher layer from a lower one, nor test code from the package', () => {
    const violations: string[] = [];
    for (const [file, deps] of Object.entries(graph.obj())) {
      const from = layerOf(file);
      for (const dep of deps) {
        const to = layerOf(dep);
        if (from === 'test') continue;
        if (to === 'test' || LAYERS.indexOf(to as never) > LAYERS.indexOf(from as never)) violations.push(`${file} -> ${dep}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
