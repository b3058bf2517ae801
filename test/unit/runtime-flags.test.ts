// The runtime's Node flags, V8 setting and malloc setting are the same wherever the CLI is started:
// npm's scripts, the bin (its shebang, and the setting it applies) and the image.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyRuntimeV8Settings, missingRuntimeEnv, missingRuntimeFlags, NODE_RUNTIME_FLAGS, RUNTIME_ENV, V8_RUNTIME_SETTINGS } from '../../src/runtime-flags.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const flagsIn = (text: string) => (text.match(/--[a-z-]+=[^"\s,]+/g) ?? []).sort();
const assignmentsIn = (text: string) => (text.match(/(?<![-\w])[A-Z_]+=[^"\s]+/g) ?? []).filter((a) => !a.startsWith('NODE_OPTIONS')).sort();
const FLAGS = [...NODE_RUNTIME_FLAGS].sort();
const ENV = Object.entries(RUNTIME_ENV).map(([name, value]) => `${name}=${value}`).sort();

describe('runtime flags', () => {
  it('npm run mirror and npm run worker start node with them', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['mirror', 'worker']) {
      expect(flagsIn(scripts[name]!)).toEqual(FLAGS);
      expect(assignmentsIn(scripts[name]!)).toEqual(ENV);
    }
  });

  it("the bin's shebang carries them within the 127 bytes old kernels read, and the bin applies the V8 setting", () => {
    const source = read('bin/mirror.ts');
    const shebang = source.split('\n')[0]!;
    expect(shebang.startsWith('#!/usr/bin/env -S ')).toBe(true);
    expect(Buffer.byteLength(shebang)).toBeLessThanOrEqual(127);
    expect(flagsIn(shebang)).toEqual(FLAGS);
    expect(assignmentsIn(shebang)).toEqual(ENV);
    expect(source).toMatch(/^applyRuntimeV8Settings\(\);$/m);
  });

  it('the image sets them in NODE_OPTIONS and ENV', () => {
    const dockerfile = read('Dockerfile');
    const envLine = /^ENV NODE_OPTIONS=.*$/m.exec(dockerfile)?.[0] ?? '';
    expect(flagsIn(envLine)).toEqual(FLAGS);
    expect(assignmentsIn(envLine)).toEqual(ENV);
    expect(/^ENTRYPOINT \["node", "dist\/bin\/mirror.js"\]$/m.test(dockerfile)).toBe(true);
  });

  it('names the flags and variables a process lacks, on its command line or in NODE_OPTIONS', () => {
    expect(missingRuntimeFlags([])).toEqual([...NODE_RUNTIME_FLAGS]);
    expect(missingRuntimeFlags(['--max-old-space-size=512', '--import', 'tsx'])).toEqual(['--max-semi-space-size=8']);
    expect(missingRuntimeFlags(['--max_old_space_size=512'], ' --max-semi-space-size=4 ')).toEqual([]);
    expect(missingRuntimeEnv({})).toEqual(RUNTIME_ENV);
    expect(missingRuntimeEnv({ MALLOC_MMAP_THRESHOLD_: '65536' })).toEqual({});
  });

  it('applies the V8 setting unless the command line sets it', () => {
    expect(applyRuntimeV8Settings(['--heap-growing-percent=100'])).toEqual([]);
    expect(applyRuntimeV8Settings(['--heap_growing_percent=50'])).toEqual([]);
    expect(applyRuntimeV8Settings([])).toEqual([...V8_RUNTIME_SETTINGS]);
  });

  it('the V8 setting, applied as a capped process runs, spaces its full collections out', () => {
    // A live set of ~10 MB renewed while 300 MB are allocated, in a 128 MB old space: the full
    // collections of V8's own growth factor (25 here) against those of the setting applied at run time (11).
    const script = (apply: boolean) => `
      ${apply ? `require('node:v8').setFlagsFromString(${JSON.stringify(V8_RUNTIME_SETTINGS[0])});` : ''}
      const live = []; let sink = 0;
      for (let i = 0; i < 30000; i++) {
        const page = Array.from({ length: 100 }, (_, j) => ({ i, j, text: 'x'.repeat(20) + i }));
        live.push(page); if (live.length > 1000) live.shift();
        sink += page.length;
      }
      console.log(sink);`;
    const fullCollections = (apply: boolean) => {
      const run = spawnSync(process.execPath, [...NODE_RUNTIME_FLAGS, '--trace-gc', '-e', script(apply)], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      return (run.stdout.match(/Mark-Compact/g) ?? []).length;
    };
    const without = fullCollections(false);
    const withSetting = fullCollections(true);
    expect(without).toBeGreaterThan(4);
    expect(withSetting).toBeLessThan(without * 0.75);
  });
});
