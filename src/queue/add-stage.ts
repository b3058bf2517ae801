// Adds a stage job with the jobs it waits for (a BullMQ flow), with deterministic ids so a retried
// parent adds nothing twice. Flows do not apply the queue's default job options, so attempts,
// backoff and retention are set on every node here. Touches Redis.
import type { FlowJobNode } from 'bullmq';
import type { MirrorQueue } from './queue.ts';

export interface StageChild {
  name: string;
  data: unknown;
  jobId: string;
}

export async function addStage(
  mirror: MirrorQueue,
  stage: { name: string; data: unknown; jobId: string },
  children: StageChild[],
): Promise<void> {
  if (children.length === 0) {
    await mirror.queue.add(stage.name, stage.data, { ...mirror.jobOptions, jobId: stage.jobId });
    return;
  }
  await mirror.flows.add({
    name: stage.name,
    queueName: mirror.queue.name,
    data: stage.data,
    opts: { ...mirror.jobOptions, jobId: stage.jobId },
    children: children.map(
      (child): FlowJobNode => ({
        name: child.name,
        queueName: mirror.queue.name,
        data: child.data,
        // A child that fails for good does not block the run: the parent sees it and infers no deletion.
        opts: { ...mirror.jobOptions, jobId: child.jobId, ignoreDependencyOnFailure: true },
      }),
    ),
  });
}
