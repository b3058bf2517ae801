// Abortable sleep that rejects with the signal's own reason. Timers only, no I/O.
import { setTimeout as sleep } from 'node:timers/promises';

export async function sleepOrThrow(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    // timers/promises rejects with a generic AbortError; callers expect the reason they aborted with.
    signal?.throwIfAborted();
    throw error;
  }
}
