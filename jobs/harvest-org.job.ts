// Re-harvest of one organization as a job: the same function as `harvest-org` in process.
// Touches Postgres and HTTP.
import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { RunEndedError } from '../src/db/runs.ts';
import { harvestOrganization, OrganizationInputError } from '../src/harvest/harvest-org.ts';
import { defineJob } from '../src/queue/define-job.ts';
import { HarvestOrgJobSchema, JOB_NAMES } from '../src/queue/jobs.ts';
import type { JobRuntime } from './runtime.ts';

export const harvestOrgJob = defineJob({
  name: JOB_NAMES.harvestOrg,
  schema: HarvestOrgJobSchema,
  async run(job, data, rt: JobRuntime) {
    // The identity is in the job's data before anything can fail: a retry resumes that run only.
    const runUuid = data.runUuid ?? randomUUID();
    if (!data.runUuid) await job.updateData({ ...data, runUuid });
    return rt.withContext(async (ctx) => {
      try {
        const outcome = await harvestOrganization(ctx, data.organization, {
          uuid: runUuid,
          jobId: `${job.id}`,
          onRunOpened: async (runId) => {
            if (data.runId !== runId) await job.updateData({ ...data, runUuid, runId });
          },
        });
        return { runId: outcome.runId, runUuid, status: outcome.status, error: outcome.error, organizationId: outcome.organizationId };
      } catch (error) {
        if (error instanceof OrganizationInputError) throw new UnrecoverableError(error.message);
        if (error instanceof RunEndedError) return { runId: error.runId, runUuid, skipped: true, reason: error.message };
        throw error;
      }
    });
  },
});
