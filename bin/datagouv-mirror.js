#!/usr/bin/env node
// The package's bin: registers tsx so the TypeScript CLI runs without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./mirror.ts');
