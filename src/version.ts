// The package's name and version, read once from package.json. Touches the filesystem.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './package-root.ts';

const PACKAGE = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

export const PACKAGE_NAME: string = PACKAGE.name;
export const PACKAGE_VERSION: string = PACKAGE.version;
