// Plain-text tables for the terminal: the end-of-run summary and `runs`. Pure.
import type { SyncRun } from '../db/runs.ts';

/** The first column (the row's key) and text columns are aligned left (dates, names, errors read from the left), numbers right. */
export function table(header: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const body = rows.map((r) => header.map((_, i) => (r[i] == null ? '' : String(r[i]))));
  const cells = [header, ...body];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => i > 0 && body.some((r) => r[i] !== '') && body.every((r) => r[i] === '' || /^-?\d+(\.\d+)?%?$/.test(r[i]!)));
  return cells
    .map((r) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

const TYPE_COLUMNS = ['seen', 'inserted', 'updated', 'restored', 'unchanged', 'deleted', 'rejected'] as const;

export function formatSummary(outcome: {
  runId: number;
  mode: string;
  status: string;
  error?: string;
  counts: { pages: number; requests: number; retries: number };
  countsByType: Record<string, unknown>;
}, seconds: number): string {
  const rows = Object.entries(outcome.countsByType).map(([type, c]) => [
    type,
    ...TYPE_COLUMNS.map((k) => (c as Record<string, number>)[k] ?? 0),
  ]);
  const lines = [
    `Run ${outcome.runId} (${outcome.mode}) ${outcome.status} in ${seconds.toFixed(1)} s: ` +
      `${outcome.counts.pages} pages, ${outcome.counts.requests} requests, ${outcome.counts.retries} retries.`,
    table(['entity', ...TYPE_COLUMNS], rows),
  ];
  // A failed run's reason is not repeated here: the command prints it once, on stderr, as its failure.
  if (outcome.error && outcome.status !== 'failed') lines.push(`Error: ${outcome.error}`);
  return lines.join('\n');
}

export function formatRuns(runs: SyncRun[]): string {
  if (runs.length === 0) return 'No runs yet.';
  return table(
    ['id', 'mode', 'scope', 'status', 'started_at', 'finished_at', 'pages', 'requests', 'seen', 'inserted', 'updated', 'deleted', 'rejected', 'error'],
    runs.map((r) => [
      r.id, r.mode, r.scope, r.status, r.startedAt, r.finishedAt, r.pages, r.requests, r.seen, r.inserted, r.updated,
      r.deleted, r.rejected, r.error ? r.error.slice(0, 60) : '',
    ]),
  );
}

export function formatQueue(
  name: string,
  counts: Record<string, number>,
  jobs: Array<{ id?: string; name: string; data: unknown; timestamp: number; processedOn?: number }>,
): string {
  const line = `Queue ${name}: ${Object.entries(counts).map(([state, n]) => `${n} ${state}`).join(', ')}.`;
  if (jobs.length === 0) return line;
  const rows = jobs.map((job) => [
    job.id ?? '',
    job.name,
    job.processedOn ? 'active' : 'queued',
    new Date(job.processedOn ?? job.timestamp).toISOString(),
    JSON.stringify(job.data).slice(0, 60),
  ]);
  return `${line}\n${table(['job', 'name', 'state', 'since', 'data'], rows)}`;
}
