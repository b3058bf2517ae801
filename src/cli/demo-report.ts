// What the demo prints at its end: the incremental run's changes per kind, a few old → new values,
// and what to try next. Touches Postgres.
import postgres from 'postgres';
import { recentChanges, showPair } from '../status/recent-changes.ts';
import { runChangeCounts } from '../status/totals.ts';
import { table } from './format.ts';

const OPS = ['insert', 'update', 'delete', 'restore'] as const;

export async function printChanges(url: string, runId: number): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const counts = await runChangeCounts(sql, runId);
    const kinds = [...new Set(counts.map((c) => c.kind))];
    const n = (kind: string, op: string) => counts.find((c) => c.kind === kind && c.op === op)?.n ?? 0;
    console.log(`\nWhat the mirror recorded (run ${runId}, one row per real change in \`changes\`; metrics moved but count for nothing):`);
    console.log(table(['kind', ...OPS], kinds.map((kind) => [kind, ...OPS.map((op) => n(kind, op))])));
    const updates = await recentChanges(sql, { runId, ops: ['update'], withFieldsOnly: true, limit: 200 });
    const picked = pickVaried(updates, 5);
    if (picked.length === 0) return;
    console.log('\nA few of them, old → new:');
    for (const change of picked) {
      console.log(`  ${change.entityType} ${change.entityId}${change.label ? ` "${change.label.slice(0, 50)}"` : ''}`);
      for (const field of change.fields.slice(0, 2)) {
        const [old, next] = showPair(field.old, field.new, field.oldKnown);
        console.log(`    ${field.field}: ${old} → ${next}`);
      }
    }
  } finally {
    await sql.end({ timeout: 2 });
  }
}

/** The order the sample shows kinds in: the same whatever order the run stored them in (its listings
 * are walked side by side). */
const KIND_ORDER = ['dataset', 'organization', 'reuse', 'dataservice', 'resource', 'user'];

/** One change per field first, so the sample shows different kinds of edits. */
function pickVaried<T extends { entityType: string; fields: Array<{ field: string }> }>(all: T[], count: number): T[] {
  const rank = (type: string) => (KIND_ORDER.includes(type) ? KIND_ORDER.indexOf(type) : KIND_ORDER.length);
  const changes = [...all].sort((a, b) => rank(a.entityType) - rank(b.entityType));
  const seen = new Set<string>();
  const first = changes.filter((c) => c.fields[0] && !seen.has(c.fields[0].field) && seen.add(c.fields[0].field));
  return [...first, ...changes.filter((c) => !first.includes(c))].slice(0, count);
}

export function printNext(databaseUrl: string | undefined): void {
  const db = databaseUrl ? `--database-url '${databaseUrl}'` : '--demo';
  console.log('\nTry next (on the demo database; drop the flag for your own mirror):');
  console.log(`  npm run mirror -- changes ${db} --limit 20              the changes with old → new values`);
  console.log(`  npm run mirror -- dashboard ${db}                       the status page on http://127.0.0.1:8080`);
  console.log(`  npm run mirror -- sql ${db} "select entity_type, op, count(*) from changes group by 1, 2"`);
  console.log(`  npm run mirror -- db ${db}                              a psql URL, the server kept running`);
  console.log('  npm run mirror -- sync                                   mirror the real data.gouv.fr into ./data');
}
