// The postgres.js handle every raw statement takes: a pool or a transaction. Pure type.
import type postgres from 'postgres';

export type SqlHandle = postgres.Sql | postgres.TransactionSql;
import type { ENTITY_TABLES } from '../schema.ts';

/** The entity tables, as the schema declares them. */
export type EntityTable = keyof typeof ENTITY_TABLES;
