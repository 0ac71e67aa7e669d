import { backtestJob } from './backtest.job.ts';
import { housekeepingJob } from './housekeeping.job.ts';
import { importJob } from './import.job.ts';
import type { JobDefinition } from './job-context.ts';
import { recalculateJob } from './recalculate.job.ts';
import { webhookDeliveryJob } from './webhook-delivery.job.ts';
import { webhookSweepJob } from './webhook-sweep.job.ts';

/**
 * Every job the worker runs, by name. The worker checks this table at start-up and refuses to
 * start when a job name has no handler; a job arriving with an unknown name fails unrecoverably.
 */
export const JOB_REGISTRY = {
  housekeeping: housekeepingJob,
  recalculate: recalculateJob,
  backtest: backtestJob,
  import: importJob,
  'webhook-delivery': webhookDeliveryJob,
  'webhook-sweep': webhookSweepJob,
} satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof JOB_REGISTRY;

export function assertJobRegistry(
  registry: Record<string, JobDefinition | undefined>,
  required: readonly string[],
): void {
  const missing = required.filter((name) => typeof registry[name]?.handle !== 'function');
  if (missing.length) throw new Error(`worker: no handler registered for job(s): ${missing.join(', ')}`);
}
