// Typed job definitions and the registry that checks them at start-up. Pure.
import type { Job } from 'bullmq';
import type { z } from 'zod';
import { JOB_NAMES, type JobName } from './jobs.ts';

export interface JobDefinition<Ctx> {
  name: JobName;
  /** Parses the payload; a payload it refuses fails the job for good. */
  parse(data: unknown): z.ZodSafeParseResult<unknown>;
  run(job: Job, data: unknown, ctx: Ctx): Promise<unknown>;
}

export function defineJob<Ctx, S extends z.ZodType>(definition: {
  name: JobName;
  schema: S;
  run(job: Job, data: z.infer<S>, ctx: Ctx): Promise<unknown>;
}): JobDefinition<Ctx> {
  return {
    name: definition.name,
    parse: (data) => definition.schema.safeParse(data),
    run: (job, data, ctx) => definition.run(job, data as z.infer<S>, ctx),
  };
}

/** Fails at start-up on a missing or duplicate handler rather than at the first job of that name. */
export function createRegistry<Ctx>(definitions: Array<JobDefinition<Ctx>>): Map<JobName, JobDefinition<Ctx>> {
  const registry = new Map<JobName, JobDefinition<Ctx>>();
  for (const definition of definitions) {
    if (registry.has(definition.name)) throw new Error(`Two handlers are registered for job "${definition.name}".`);
    registry.set(definition.name, definition);
  }
  const missing = Object.values(JOB_NAMES).filter((name) => !registry.has(name));
  if (missing.length) throw new Error(`No handler is registered for job(s): ${missing.join(', ')}.`);
  return registry;
}
