// CPU accounting from /proc (Linux; null elsewhere): machine busy share and CPU seconds by process role, to tell CPU-bound from latency-bound runs and spot outside load. Touches /proc.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** USER_HZ: Linux reports /proc times in 1/100 s on every common architecture. */
const TICKS_PER_SECOND = 100;

function machineTicks(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Starts a window; the returned function gives the share of all cores that was busy since. */
export function machineCpuWindow(): () => { machine_cpu_busy: number | null; cores: number } {
  const start = machineTicks();
  return () => {
    const end = machineTicks();
    const share = start && end && end.total > start.total ? (end.busy - start.busy) / (end.total - start.total) : null;
    return { machine_cpu_busy: share, cores: os.availableParallelism() };
  };
}

/** By pid; `start` (start time since boot) tells a reused pid apart (names change: kernel workers rename themselves). */
type ProcessTimes = Map<number, { name: string; start: string; cpu: number; kernel: boolean }>;

function allProcesses(): ProcessTimes {
  const out: ProcessTimes = new Map();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Kernel threads are children of kthreadd (pid 2): writeback, fsync work...
      out.set(Number(pid), { name, start: fields[19] ?? '', cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND, kernel: pid === '2' || fields[1] === '2' });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * Starts a window over every process of the machine; the returned function gives CPU seconds by
 * role: the pids named in `roles`, then postgres, redis, kernel threads, and `other` (anything else:
 * other people's jobs on a shared machine). Processes that exited inside the window are
 * missed, so close it before closing pools.
 */
export function cpuByProcessWindow(): (roles: Record<string, number[]>) => Record<string, number> {
  const before = allProcesses();
  return (roles) => {
    const after = allProcesses();
    const out: Record<string, number> = {};
    const roleOf = new Map<number, string>();
    for (const [role, pids] of Object.entries(roles)) for (const pid of pids) roleOf.set(pid, role);
    for (const [pid, p] of after) {
      const old = before.get(pid);
      const used = p.cpu - (old?.start === p.start ? old.cpu : 0);
      if (used <= 0) continue;
      const key = roleOf.get(pid) ?? (p.kernel ? 'kernel' : p.name.startsWith('postgres') ? 'postgres' : p.name.startsWith('redis') ? 'redis' : 'other');
      out[key] = (out[key] ?? 0) + used;
    }
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 100) / 100]).sort((a, b) => Number(b[1]) - Number(a[1])));
  };
}

/**
 * Waits until the machine has been mostly idle for a second (at most `timeoutMs`), so that a
 * measurement does not start while something else (a test suite on a shared machine) holds the
 * CPUs. Returns the busy share it settled on, for the record.
 */
export async function waitForQuietMachine(say: (text: string) => void, timeoutMs = 120_000, threshold = 0.25): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  let warned = false;
  for (;;) {
    const window = machineCpuWindow();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const busy = window().machine_cpu_busy;
    if (busy === null || busy <= threshold) return busy;
    if (Date.now() > deadline) {
      say(`the machine is still ${(busy * 100).toFixed(0)}% busy with other work: measuring anyway (see "other" in cpu_seconds_by_process)`);
      return busy;
    }
    if (!warned) say(`the machine is ${(busy * 100).toFixed(0)}% busy (other work, or processes still starting): waiting for it to calm down`);
    warned = true;
  }
}

/** Cores used on average by processes outside the bench during measurements (0 on a quiet machine): the largest of the given windows. */
export function outsideLoadCores(...windows: Array<{ cpu: Record<string, number>; seconds: number }>): number {
  return Math.max(0, ...windows.map((w) => (w.cpu['other'] ?? 0) / Math.max(w.seconds, 0.001)));
}
