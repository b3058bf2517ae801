// A metrics value PostgreSQL refuses costs that entity's snapshot of the day, never the page nor
// the transaction it is stored in. Real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertMetricSnapshots } from '../../src/db/sql/upsert-metric-snapshots.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

describe('metric snapshots', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  const rows = (prefix: string) => [
    { entity_type: 'dataset', entity_id: `${prefix}-a`, metrics: { views: 1 } },
    { entity_type: 'dataset', entity_id: `${prefix}-bad`, metrics: { '\ud800': 2 } }, // a lone surrogate: jsonb refuses it
    { entity_type: 'dataset', entity_id: `${prefix}-c`, metrics: { views: 3 } },
  ];
  const stored = async (prefix: string) =>
    (await db.sql<{ entity_id: string }[]>`select entity_id from metric_snapshots where entity_id like ${`${prefix}-%`} order by 1`).map((r) => r.entity_id);

  it('leaves out only the refused entity, outside a transaction', async () => {
    expect(await upsertMetricSnapshots(db.sql, rows('pool'), new Date().toISOString())).toEqual(['pool-bad']);
    expect(await stored('pool')).toEqual(['pool-a', 'pool-c']);
  });

  it('and inside one, which goes on and commits', async () => {
    const refused = await db.sql.begin(async (tx) => {
      const out = await upsertMetricSnapshots(tx, rows('tx'), new Date().toISOString());
      await tx`select 1`; // the transaction is not aborted
      return out;
    });
    expect(refused).toEqual(['tx-bad']);
    expect(await stored('tx')).toEqual(['tx-a', 'tx-c']);
  });

  it('leaves out metrics nested too deep to serialize, and stores the rest', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    const refused = await upsertMetricSnapshots(
      db.sql,
      [
        { entity_type: 'dataset', entity_id: 'deep-a', metrics: { views: 1 } },
        { entity_type: 'dataset', entity_id: 'deep-b', metrics: deep },
      ],
      new Date().toISOString(),
    );
    expect(refused).toEqual([]);
    expect(await stored('deep')).toEqual(['deep-a']);
  });
});
