// `schedule --list` and `schedule --remove`: the job schedulers installed on the queue. Touches Redis.
import type { Settings } from '../config.ts';
import { NIGHTLY_SCHEDULER_ID } from '../queue/scheduler.ts';
import { queueOf } from './context.ts';
import { table } from './format.ts';

export async function listSchedulesCommand(config: Settings): Promise<void> {
  const queue = await queueOf(config);
  try {
    const schedulers = await queue.mirror.queue.getJobSchedulers(0, 99, true);
    if (schedulers.length === 0) {
      console.log(`No schedule on ${config.QUEUE_NAME}: \`npm run mirror -- schedule\` installs the nightly sync.`);
      return;
    }
    console.log(
      table(
        ['id', 'pattern', 'tz', 'next run', 'job'],
        schedulers.map((s) => [s.key, s.pattern ?? (s.every ? `every ${s.every} ms` : ''), s.tz ?? '', s.next ? new Date(s.next).toISOString() : '', s.name]),
      ),
    );
  } finally {
    await queue.close();
  }
}

export async function removeScheduleCommand(config: Settings): Promise<void> {
  const queue = await queueOf(config);
  try {
    const removed = await queue.mirror.queue.removeJobScheduler(NIGHTLY_SCHEDULER_ID);
    console.log(
      removed
        ? `Removed the nightly sync schedule from ${config.QUEUE_NAME}; runs already queued or running go on.`
        : `No nightly sync schedule on ${config.QUEUE_NAME}: nothing to remove.`,
    );
  } finally {
    await queue.close();
  }
}
