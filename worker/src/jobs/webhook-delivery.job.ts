import { isUuid } from '@medstock/db';
import { UnrecoverableError } from 'bullmq';
import { deliverOnce } from '../webhooks/deliver.ts';
import type { JobDefinition } from './job-context.ts';

/**
 * Sends one webhook delivery. A failed attempt throws so BullMQ retries it with exponential
 * backoff (attempts and base delay set when the job is enqueued); the last failed attempt marks
 * the delivery failed and ends quietly. Every attempt is recorded in the delivery log.
 */
export const webhookDeliveryJob: JobDefinition = {
  description: 'webhook delivery: signed POST to the endpoint, retried with exponential backoff',
  async handle(ctx, job) {
    const { tenantId, deliveryId } = job.data;
    if (typeof deliveryId !== 'string' || !isUuid(deliveryId))
      throw new UnrecoverableError('deliveryId must be a uuid');
    const number = job.attemptsMade + 1;
    const outcome = await deliverOnce(ctx.config, ctx.database, tenantId, deliveryId, {
      number,
      last: number >= (job.opts.attempts ?? 1),
    });
    if (outcome.status === 'retrying')
      throw new Error(`attempt ${number} failed: ${outcome.error ?? 'no answer'}`);
    return outcome;
  },
};
