// Integration harness: a fresh database, the loopback fake data.gouv.fr and a sync context wired to
// both, with helpers to read the mirror. Touches Postgres and HTTP.
import { createHttpClient, type HttpClient } from '../../src/api/http-client.ts';
import { createLocalBudget } from '../../src/api/request-budget.ts';
import { runSync, type SyncContext, type SyncRequest } from '../../src/harvest/run-sync.ts';
import { createLogger } from '../../src/logger.ts';
import { startFakeDatagouv, type FakeDatagouv, type FakeOptions } from '../../src/fake-datagouv/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface Harness {
  fake: FakeDatagouv;
  database: TestDatabase;
  http: HttpClient;
  ctx: SyncContext;
  sync(request?: SyncRequest): ReturnType<typeof runSync>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  fake?: FakeOptions;
  apiKey?: string;
  maxConcurrency?: number;
  context?: Partial<SyncContext>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeDatagouv({
    counts: { datasets: 120, organizations: 15, reuses: 25, users: 80 },
    ...options.fake,
  });
  const database = await createTestDatabase();
  const maxConcurrency = options.maxConcurrency ?? 4;
  const logger = createLogger('silent');
  const http = createHttpClient({
    baseUrl: fake.url,
    apiKey: options.apiKey,
    minRetryDelayMs: 5,
    maxRetryDelayMs: 50,
    maxRetryAfterMs: 1_500,
    retries: 6,
    timeoutMs: 5_000,
    connections: maxConcurrency,
    budget: createLocalBudget({ maxConcurrency, requestsPerSecond: 1_000 }),
  });
  const ctx: SyncContext = {
    sql: database.sql,
    db: database.db,
    http,
    logger,
    hasApiKey: Boolean(options.apiKey),
    pageSize: 20,
    manifestPageSize: 200,
    concurrency: maxConcurrency,
    usersPerRun: 0,
    ...options.context,
  };
  return {
    fake,
    database,
    http,
    ctx,
    sync: (request) => runSync(ctx, request),
    async close() {
      await http.close();
      await fake.close();
      await database.drop();
    },
  };
}

/** `xmin` of every row of every entity table: equal snapshots mean no row was rewritten. */
export async function rowVersions(sql: TestDatabase['sql']): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ['organizations', 'datasets', 'resources', 'reuses', 'users', 'reuse_datasets', 'organization_members']) {
    const rows = await sql.unsafe<{ k: string; v: string }[]>(`select ctid::text || ':' || xmin::text as v, '${table}' as k from ${table}`);
    out[table] = rows.map((r) => r.v).sort().join(',');
  }
  return out;
}

export async function ids(sql: TestDatabase['sql'], table: string, where = 'deleted_at is null'): Promise<string[]> {
  const rows = await sql.unsafe<{ id: string }[]>(`select id from ${table} where ${where} order by id`);
  return rows.map((r) => r.id);
}

export async function changesOf(sql: TestDatabase['sql'], runId: number) {
  return sql<{ entity_type: string; entity_id: string; op: string; changed_fields: string[]; patch: unknown[] }[]>`
    select entity_type, entity_id, op, changed_fields, patch from changes where run_id = ${runId} order by id`;
}

/** Everything a mirror holds that must be identical between two runs over the same source:
 * entity hashes and tombstones, links, members and the changes recorded (ids aside). */
export async function mirrorState(h: Pick<Harness, 'database'>): Promise<Record<string, readonly unknown[]>> {
  const { sql } = h.database;
  const out: Record<string, readonly unknown[]> = {};
  for (const table of ['organizations', 'datasets', 'resources', 'reuses', 'users']) {
    out[table] = await sql.unsafe(`select id, raw_hash, content_hash, deleted_at is null as live, deletion_reason from ${table} order by id`);
  }
  out.reuse_datasets = await sql`select reuse_id, dataset_id from reuse_datasets order by 1, 2`;
  out.organization_members = await sql`select organization_id, user_id, role from organization_members order by 1, 2`;
  out.changes = await sql`select entity_type, entity_id, op, changed_fields from changes order by entity_type, entity_id, op, changed_fields`;
  return out;
}
