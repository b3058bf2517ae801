// Reads the real recorded data.gouv.fr responses (the same folder the fake is built from). Touches the filesystem.
import { readFixture as readRaw } from '../../src/fake-datagouv/fixtures.ts';

export function readFixture<T = Record<string, unknown>>(name: string): T {
  return readRaw(name) as T;
}
