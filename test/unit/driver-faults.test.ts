// Which uncaught errors a process survives: faults thrown from a driver's own frames, not ours.
import { describe, expect, it } from 'vitest';
import { isDriverFault } from '../../src/driver-faults.ts';

function withStack(first: string, name = 'TypeError'): Error {
  const error = new Error("Cannot read properties of null (reading 'write')");
  error.name = name;
  error.stack = `${name}: ${error.message}\n    at ${first}\n    at processImmediate (node:internal/timers:483:21)`;
  return error;
}

describe('driver faults', () => {
  it('are errors whose first frame is in a driver', () => {
    expect(isDriverFault(withStack('nextWrite (/app/node_modules/postgres/src/connection.js:255:22)'))).toBe(true);
    expect(isDriverFault(withStack('Socket.<anonymous> (/app/node_modules/ioredis/built/Redis.js:10:5)'))).toBe(true);
    expect(isDriverFault(withStack('Timeout._onTimeout (/app/node_modules/whatever/x.js:1:1)', 'LostLockError'))).toBe(true);
  });

  it('are not our own errors, nor anything without a stack', () => {
    expect(isDriverFault(withStack('storePage (/app/src/harvest/store-page.ts:40:11)'))).toBe(false);
    expect(isDriverFault(withStack('x (/app/node_modules/zod/index.js:1:1)'))).toBe(false);
    expect(isDriverFault('a string')).toBe(false);
  });
});
