// Child process of the rss scenario: one full sync and nothing else, its peak RSS printed as one JSON line. Touches Postgres and HTTP.
import { timedSync, type MirrorSettings } from './mirror.ts';

const { databaseUrl, baseUrl, settings } = JSON.parse(process.argv[2] ?? '{}') as { databaseUrl: string; baseUrl: string; settings: MirrorSettings };
const mb = (bytes: number) => bytes / 1024 / 1024;

let peak = process.memoryUsage().rss;
let peakHeap = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peak = Math.max(peak, usage.rss);
  peakHeap = Math.max(peakHeap, usage.heapUsed);
}, 50);
const idle = process.memoryUsage().rss;
const run = await timedSync(databaseUrl, baseUrl, settings, { mode: 'full' }, 'rss sync');
clearInterval(sampler);
process.stdout.write(
  `${JSON.stringify({
    status: run.outcome.status,
    error: run.outcome.error,
    seconds: run.seconds,
    seen: run.outcome.counts.seen,
    // ru_maxrss is in kilobytes on Linux.
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
    sampled_peak_rss_mb: mb(peak),
    idle_rss_mb: mb(idle),
    peak_heap_used_mb: mb(peakHeap),
  })}\n`,
);
process.exit(0);
