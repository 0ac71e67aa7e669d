import { isUuid } from '@medstock/db';
import { UnrecoverableError } from 'bullmq';
import { runImport } from '../imports/run-import.ts';
import type { JobDefinition } from './job-context.ts';

/**
 * A bulk import uploaded through POST /v1/imports: validate every row, then apply the file in
 * one transaction. The job carries the import id only; the file and the state are re-read.
 */
export const importJob: JobDefinition<'import'> = {
  description: 'bulk import of a CSV/JSON file (validate every row, then apply all-or-nothing)',
  async handle(ctx, job) {
    const { tenantId, importId } = job.data;
    if (typeof importId !== 'string' || !isUuid(importId))
      throw new UnrecoverableError('importId must be a uuid');
    // Progress lives in the database; the job's copy is for display and may be gone (Redis restart).
    return runImport(ctx, tenantId, importId, (percent) =>
      job.updateProgress(percent).catch(() => undefined),
    );
  },
};
