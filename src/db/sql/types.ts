// The postgres.js handle every raw statement takes (a pool or a transaction), and the options of the harvest's statements. Pure.
import type postgres from 'postgres';
import type { ENTITY_TABLES } from '../schema.ts';

export type SqlHandle = postgres.Sql | postgres.TransactionSql;

/** Options of the harvest's statements: prepared once per connection. postgres.js otherwise sends a
 * statement with parameters unnamed and asks the server to describe it before every execution: two
 * round trips and a parse each time, a dozen times a page. The texts are a fixed set (one per
 * statement and table), so each connection prepares a few dozen at most; harvesting pools plan every
 * execution anew all the same (`plan_cache_mode`, src/db/client.ts). */
export const PREPARED = { prepare: true } as const;

/** Waits for statements sent together on one transaction, all of them, then throws the first failure
 * in their order: none is left to go out after the transaction's rollback (a savepoint holds its own
 * statement back until the savepoint answers), and the failure reported is the one that caused the others. */
export async function settleInOrder(statements: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(statements)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The entity tables, as the schema declares them. */
export type EntityTable = keyof typeof ENTITY_TABLES;
