// The runtime's Node flags and malloc setting are the same wherever the CLI is started: npm's scripts,
// the bin's shebang and the image.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingRuntimeEnv, missingRuntimeFlags, NODE_RUNTIME_FLAGS, RUNTIME_ENV } from '../../src/runtime-flags.ts';

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

  it("the bin's shebang carries them", () => {
    const shebang = read('bin/mirror.ts').split('\n')[0]!;
    expect(shebang.startsWith('#!/usr/bin/env -S ')).toBe(true);
    expect(flagsIn(shebang)).toEqual(FLAGS);
    expect(assignmentsIn(shebang)).toEqual(ENV);
  });

  it('the image sets them: NODE_OPTIONS those it takes, the entry point the others, ENV the malloc setting', () => {
    const dockerfile = read('Dockerfile');
    const envLine = /^ENV NODE_OPTIONS=.*$/m.exec(dockerfile)?.[0] ?? '';
    const entry = /^ENTRYPOINT \[(.*)\]/m.exec(dockerfile)?.[1] ?? '';
    expect([...flagsIn(envLine), ...flagsIn(entry)].sort()).toEqual(FLAGS);
    expect(flagsIn(entry)).toEqual(['--heap-growing-percent=200']);
    expect(assignmentsIn(envLine)).toEqual(ENV);
  });

  it('names the flags and variables a process lacks, taking one set to another value as set', () => {
    expect(missingRuntimeFlags([])).toEqual([...NODE_RUNTIME_FLAGS]);
    expect(missingRuntimeFlags(['--max-old-space-size=512', '--max_semi_space_size=4', '--import', 'tsx'])).toEqual(['--heap-growing-percent=200']);
    expect(missingRuntimeFlags([...NODE_RUNTIME_FLAGS])).toEqual([]);
    expect(missingRuntimeEnv({})).toEqual(RUNTIME_ENV);
    expect(missingRuntimeEnv({ MALLOC_MMAP_THRESHOLD_: '65536' })).toEqual({});
  });
});
