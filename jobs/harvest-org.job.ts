// Re-harvest of one organization as a job: the same function as `harvest-org` in process.
// Touches Postgres and HTTP.
import { UnrecoverableError } from 'bullmq';
import { harvestOrganization, OrganizationInputError } from '../src/harvest/harvest-org.ts';
import { defineJob } from '../src/queue/define-job.ts';
import { HarvestOrgJobSchema, JOB_NAMES } from '../src/queue/jobs.ts';
import type { JobRuntime } from './runtime.ts';

export const harvestOrgJob = defineJob({
  name: JOB_NAMES.harvestOrg,
  schema: HarvestOrgJobSchema,
  async run(job, data, rt: JobRuntime) {
    return rt.withContext(async (ctx) => {
      try {
        const outcome = await harvestOrganization(ctx, data.organization, {
          runId: data.runId,
          onRunOpened: (runId) => job.updateData({ ...data, runId }),
        });
        return { runId: outcome.runId, status: outcome.status, error: outcome.error, organizationId: outcome.organizationId };
      } catch (error) {
        if (error instanceof OrganizationInputError) throw new UnrecoverableError(error.message);
        throw error;
      }
    });
  },
});
