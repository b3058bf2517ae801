// The runtime's Node flags are the same wherever the CLI is started: npm's scripts, the bin's shebang
// and the image.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingRuntimeFlags, NODE_RUNTIME_FLAGS } from '../../src/runtime-flags.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const flagsIn = (text: string) => text.match(/--[a-z-]+=\S+?(?=["\s]|$)/g) ?? [];

describe('runtime flags', () => {
  it('npm run mirror and npm run worker start node with them', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['mirror', 'worker']) expect(flagsIn(scripts[name]!).sort()).toEqual([...NODE_RUNTIME_FLAGS].sort());
  });

  it("the bin's shebang carries them", () => {
    const shebang = read('bin/mirror.ts').split('\n')[0]!;
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(flagsIn(shebang).sort()).toEqual([...NODE_RUNTIME_FLAGS].sort());
  });

  it("the image sets them in NODE_OPTIONS (which an operator's own replaces)", () => {
    const options = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(read('Dockerfile'))?.[1] ?? '';
    expect(flagsIn(options).sort()).toEqual([...NODE_RUNTIME_FLAGS].sort());
  });

  it('names the flags a process lacks, taking one set to another value as set', () => {
    expect(missingRuntimeFlags([])).toEqual([...NODE_RUNTIME_FLAGS]);
    expect(missingRuntimeFlags(['--max-old-space-size=512', '--import', 'tsx'])).toEqual(['--max-semi-space-size=8']);
    expect(missingRuntimeFlags(['--max_old_space_size=512', '--max_semi_space_size=4'])).toEqual([]);
    expect(missingRuntimeFlags([...NODE_RUNTIME_FLAGS])).toEqual([]);
  });
});
