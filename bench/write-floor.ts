// What PostgreSQL needs at the least to hold what a full sync leaves: its tables (entities, links,
// changes, metric snapshots, ledger) COPYed from files into a fresh database in one transaction,
// with the mirror's indexes, triggers and WAL; set against the full sync's and the raw floor's CPU,
// it splits the full sync's cost above the floor into the rows the contract asks for and the mirror's
// own work. Touches Postgres and a temporary folder.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { ensureFloor, ensureFullSync, lineBase, type CatalogState } from './catalog.ts';
import { onCleanup } from './cleanup.ts';
import { cpuByProcessWindow, machineCpuWindow, outsideLoadCores, waitForQuietMachine } from './cpu.ts';
import { createBenchDatabase } from './databases.ts';
import { say, type Line } from './report.ts';

interface DumpedTable {
  table: string;
  file: string;
  bytes: number;
}

const sum = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);

/** Every table of the public schema with rows, in COPY text format, one file each. Each COPY has a
 * connection of its own: postgres.js can leave a connection's socket paused after a COPY TO stream
 * (porsager/postgres#499), and the next statement on it then never returns. */
async function dumpTables(url: string, dir: string): Promise<DumpedTable[]> {
  const connect = () => postgres(url, { max: 1, onnotice: () => {} });
  const sql = connect();
  let tables: string[];
  try {
    tables = (
      await sql<{ table: string }[]>`
        select c.relname as table from pg_class c
         where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
         order by c.relname`
    ).map((r) => r.table);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const out: DumpedTable[] = [];
  for (const table of tables) {
    const file = join(dir, `${table}.copy`);
    const own = connect();
    try {
      // An empty table is left out: a COPY TO stream of no rows does not end either.
      const [found] = await own<{ some: boolean }[]>`select exists (select from ${own(table)}) as some`;
      if (!found?.some) continue;
      await pipeline(await own`copy ${own(table)} to stdout`.readable(), createWriteStream(file));
    } finally {
      await own.end({ timeout: 5 });
    }
    out.push({ table, file, bytes: (await stat(file)).size });
  }
  return out;
}

export async function writeFloorLine(state: CatalogState): Promise<Line> {
  const floor = await ensureFloor(state);
  const mirror = await ensureFullSync(state);
  const dir = await mkdtemp(join(tmpdir(), 'dgm-bench-write-floor-'));
  const removeDir = onCleanup(`folder ${dir}`, () => rm(dir, { recursive: true, force: true }));
  try {
    say('write floor: copying the full sync’s tables to files');
    const tables = await dumpTables(mirror.db.url, dir);
    const target = await createBenchDatabase('write_floor');
    const sql = postgres(target.url, { max: 1, onnotice: () => {} });
    try {
      await sql`select 1`; // connected before the window opens
      await waitForQuietMachine(say);
      say(`write floor: COPY of ${tables.length} tables into a fresh database, one transaction`);
      const machine = machineCpuWindow();
      const byProcess = cpuByProcessWindow();
      const started = performance.now();
      await sql.begin(async (tx) => {
        for (const t of tables) await pipeline(createReadStream(t.file), await tx`copy ${tx(t.table)} from stdin`.writable());
      });
      const seconds = (performance.now() - started) / 1000;
      const cpu = byProcess({ bench: [process.pid] });
      const busy = machine().machine_cpu_busy;
      const full = mirror.full.cpuByProcess;
      const floorCpu = floor.cpuByProcess;
      const writePostgres = cpu['postgres'] ?? 0;
      // The floor with its PostgreSQL work replaced by the write floor's: the CPU a mirror would use
      // that fetched and parsed like the floor and wrote the contract's rows at COPY's cost.
      const contractFloorCpu = sum(floorCpu) - (floorCpu['postgres'] ?? 0) + writePostgres;
      const contractFloorRatio = contractFloorCpu / sum(floorCpu);
      say(`write floor: ${seconds.toFixed(1)} s, PostgreSQL ${writePostgres.toFixed(2)} s of CPU`);
      return {
        ...lineBase(state, 'write-floor'),
        seconds,
        baseline_seconds: floor.seconds,
        ratio: contractFloorRatio,
        target: 'none: a measure of the contract’s writes (ratio: the floor’s CPU with its PostgreSQL work replaced by this COPY’s)',
        ok: true,
        tables: Object.fromEntries(tables.map((t) => [t.table, t.bytes])),
        cpu_seconds_by_process: cpu,
        machine_cpu_busy: busy,
        outside_load_cores: outsideLoadCores({ cpu, seconds }),
        contract_floor_cpu_seconds: contractFloorCpu,
        baseline_cpu_seconds: sum(floorCpu),
        full_cpu_seconds: sum(full),
        // The full sync's CPU above the floor, split between its two processes' own share.
        full_mirror_over_floor_process: (full['mirror'] ?? 0) - (floorCpu['floor'] ?? 0),
        full_postgres_over_write_floor: (full['postgres'] ?? 0) - writePostgres,
        baseline: 'the full sync’s tables, COPYed from files into a fresh database in one transaction (same indexes, triggers, WAL)',
      };
    } finally {
      await sql.end({ timeout: 5 });
      await target.drop();
    }
  } finally {
    await removeDir();
  }
}
