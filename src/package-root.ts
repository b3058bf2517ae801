// The package's root folder (package.json, migrations/, shipped assets), the same whether the code runs
// from its TypeScript sources (tsx) or compiled to dist/. Touches the filesystem once, at import.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above this file holding a package.json: `dist/` has none, so the compiled copy finds the same root. */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}: the package is incomplete, reinstall it.`);
  }
}

export const PACKAGE_ROOT: string = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
