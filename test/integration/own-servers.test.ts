// The throw-away servers of the restart tests: a cluster that restarts and crashes keeps its data;
// a Redis with persistence keeps its keys across a restart, one without loses them.
import postgres from 'postgres';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnPostgres, startOwnRedis, type OwnPostgres } from '../support/servers.ts';

describe('own servers', () => {
  let pg: OwnPostgres;
  beforeAll(async () => {
    pg = await startOwnPostgres();
  });
  afterAll(async () => {
    await pg?.destroy();
  });

  it('a PostgreSQL cluster survives a fast restart and a crash with its data', async () => {
    const sql = postgres(pg.url(), { max: 1, onnotice: () => {} });
    try {
      await sql`create table t (v int)`;
      await sql`insert into t values (1)`;
      const before = pg.pid();
      await pg.restartFast();
      expect(pg.pid()).not.toBe(before);
      await sql`insert into t values (2)`;
      await pg.crash();
      await expect(sql`select 1`).rejects.toThrow();
      await pg.start();
      expect((await sql`select count(*)::int as n from t`)[0]!.n).toBe(2);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it('Redis keeps its keys across a restart only with persistence', async () => {
    for (const persistent of [true, false]) {
      const server = await startOwnRedis({ persistent });
      const client = new Redis(server.url, { maxRetriesPerRequest: null });
      client.on('error', () => {});
      try {
        await client.set('k', 'v');
        await server.restart();
        expect(await client.get('k')).toBe(persistent ? 'v' : null);
      } finally {
        client.disconnect();
        await server.destroy();
      }
    }
  });
});
