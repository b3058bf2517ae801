// The postgres.js handle every raw statement takes: a pool or a transaction. Pure type.
import type postgres from 'postgres';

export type SqlHandle = postgres.Sql | postgres.TransactionSql;
export type EntityTable = 'organizations' | 'datasets' | 'resources' | 'reuses' | 'users' | 'dataservices';
