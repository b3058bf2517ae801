// Vitest global setup: finds PostgreSQL and Redis (env first, testcontainers only when Docker answers),
// builds one migrated template database that every test file clones. Touches Postgres and Redis.
import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { Redis } from 'ioredis';
import { runMigrations } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    pgTemplateDb: string;
    redisUrl: string;
  }
}

const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<unknown>> = [];
  const pgServerUrl = await findPostgres(stops);
  const redisUrl = await findRedis(stops);
  const templateDb = `dgm_test_template_${process.pid}`;
  const templateUrl = withDatabase(pgServerUrl, templateDb);
  const admin = postgres(pgServerUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${templateDb}`);
  await runMigrations(templateUrl);
  project.provide('pgServerUrl', pgServerUrl);
  project.provide('pgTemplateDb', templateDb);
  project.provide('redisUrl', redisUrl);
  return async () => {
    // Test files drop their own clones; this sweeps whatever a crashed file left behind.
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`dgm_test_%_${process.pid}_%`} or datname = ${templateDb}`;
    for (const { datname } of leftovers) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    await admin.end();
    for (const stop of stops.reverse()) await stop();
  };
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function canConnectPg(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function canConnectRedis(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function findPostgres(stops: Array<() => Promise<unknown>>): Promise<string> {
  const configured = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const url = configured ? withDatabase(configured, 'postgres') : DEFAULT_PG;
  if (await canConnectPg(url)) return url;
  if (await dockerAnswers()) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('postgres:16-alpine')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
      .start();
    stops.push(() => container.stop());
    return `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
  }
  throw new Error(
    `No PostgreSQL at ${url} and no Docker engine for testcontainers: start PostgreSQL (see README) or set TEST_DATABASE_URL.`,
  );
}

async function findRedis(stops: Array<() => Promise<unknown>>): Promise<string> {
  const url = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? DEFAULT_REDIS;
  if (await canConnectRedis(url)) return url;
  if (await dockerAnswers()) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('redis:7-alpine')
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start();
    stops.push(() => container.stop());
    return `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  }
  throw new Error(
    `No Redis at ${url} and no Docker engine for testcontainers: start Redis (see README) or set TEST_REDIS_URL.`,
  );
}
