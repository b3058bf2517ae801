// The queue as people need to see it (dashboard, doctor, --wait): jobs per state, workers connected and
// the schedules with their next run; "unreachable" instead of waiting when Redis does not answer.
// Touches Redis.
import type { Queue } from 'bullmq';

export interface QueueState {
  name: string;
  reachable: boolean;
  error?: string;
  counts?: Record<string, number>;
  workers?: number;
  schedules?: Array<{ id: string; pattern: string | null; tz: string | null; next: string | null }>;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

export async function readQueueState(queue: Queue, timeoutMs = 2_000): Promise<QueueState> {
  try {
    const [counts, workers, schedulers] = await within(
      Promise.all([
        queue.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'failed', 'completed'),
        queue.getWorkersCount(),
        queue.getJobSchedulers(0, 49, true),
      ]),
      timeoutMs,
    );
    return {
      name: queue.name,
      reachable: true,
      counts,
      workers,
      schedules: schedulers.map((s) => ({ id: s.key, pattern: s.pattern ?? null, tz: s.tz ?? null, next: s.next ? new Date(s.next).toISOString() : null })),
    };
  } catch (error) {
    return { name: queue.name, reachable: false, error: error instanceof Error ? error.message : String(error) };
  }
}
