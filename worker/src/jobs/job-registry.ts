import { JOB_NAMES, type JobName } from '@medstock/contracts';
import { backtestJob } from './backtest.job.ts';
import { housekeepingJob } from './housekeeping.job.ts';
import { importJob } from './import.job.ts';
import type { JobDefinition } from './job-context.ts';
import { notifyJob } from './notify.job.ts';
import { recalculateJob } from './recalculate.job.ts';
import { recalculateDrainJob } from './recalculate-drain.job.ts';
import { webhookDeliveryJob } from './webhook-delivery.job.ts';
import { webhookSweepJob } from './webhook-sweep.job.ts';

/**
 * Every job the worker runs, by name (the names, payloads and queues are the contracts package's).
 * The worker checks this table at start-up and refuses to start when a job name has no handler;
 * a job arriving with an unknown name fails unrecoverably.
 */
export const JOB_REGISTRY: { [N in JobName]: JobDefinition<N> } = {
  housekeeping: housekeepingJob,
  recalculate: recalculateJob,
  'recalculate-drain': recalculateDrainJob,
  backtest: backtestJob,
  import: importJob,
  'webhook-delivery': webhookDeliveryJob,
  'webhook-sweep': webhookSweepJob,
  notify: notifyJob,
};

export type { JobName };

export function assertJobRegistry(
  registry: Record<string, JobDefinition | undefined>,
  required: readonly string[] = JOB_NAMES,
): void {
  const missing = required.filter((name) => typeof registry[name]?.handle !== 'function');
  if (missing.length) throw new Error(`worker: no handler registered for job(s): ${missing.join(', ')}`);
}
