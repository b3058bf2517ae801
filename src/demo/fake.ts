// The fake data.gouv.fr as the runtime ships it (the demo and `npm run fake-api`): the same loopback
// server the tests use, from src/fake-datagouv/. Touches HTTP.
export { startFakeDatagouv, FakeCatalog, type FakeDatagouv, type FakeOptions, type Kind } from '../fake-datagouv/index.ts';
export { KINDS } from '../fake-datagouv/types.ts';
export { Rng, rngFor } from '../fake-datagouv/prng.ts';

/** The X-API-KEY that unlocks the fake's admin-only users listing unless --admin-key says otherwise. */
export const FAKE_ADMIN_KEY = 'fake-admin-key';
