import { isUuid, withTenantDb } from '@medstock/db';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { sql } from 'drizzle-orm';
import { deliverOnce } from '../webhooks/deliver.ts';
import type { JobDefinition } from './job-context.ts';

/**
 * Sends one webhook delivery. A delivery to an endpoint that already has
 * WEBHOOK_ENDPOINT_CONCURRENCY deliveries in flight goes back to the queue for
 * WEBHOOK_ENDPOINT_BUSY_DELAY_MS (not counted as an attempt) instead of holding a worker slot
 * while the receiver hangs. A failed attempt throws so BullMQ retries it; the delay comes from
 * this worker's WEBHOOK_BACKOFF_BASE_MS (the queue's custom backoff) and the last attempt is this
 * worker's WEBHOOK_MAX_ATTEMPTS, whatever the enqueuing process had. Every attempt is recorded
 * in the delivery log.
 */
export const webhookDeliveryJob: JobDefinition<'webhook-delivery'> = {
  description:
    'webhook delivery: signed POST to the endpoint, per-endpoint concurrency, retried with backoff',
  async handle(ctx, job, token) {
    const { tenantId, deliveryId } = job.data;
    if (typeof deliveryId !== 'string' || !isUuid(deliveryId))
      throw new UnrecoverableError('deliveryId must be a uuid');
    const endpointId = await withTenantDb(ctx.database.db, { organizationId: tenantId }, async (tx) => {
      const r = await tx.execute<{ endpoint_id: string }>(
        sql`select endpoint_id from webhook_deliveries where id = ${deliveryId} and status = 'pending'`,
      );
      return r.rows[0]?.endpoint_id;
    });
    if (!endpointId) return { status: 'skipped', reason: 'not pending or deleted' };

    const slot = await ctx.endpointSlots.acquire(endpointId, `${deliveryId}:${token ?? ''}`);
    if (!slot) {
      await job.moveToDelayed(Date.now() + ctx.config.WEBHOOK_ENDPOINT_BUSY_DELAY_MS, token);
      throw new DelayedError();
    }
    try {
      const number = job.attemptsMade + 1;
      const outcome = await deliverOnce(ctx.config, ctx.database, tenantId, deliveryId, {
        number,
        last: number >= ctx.config.WEBHOOK_MAX_ATTEMPTS,
      });
      ctx.metrics.webhookAttempt(outcome.status);
      if (outcome.status === 'retrying')
        throw new Error(`attempt ${number} failed: ${outcome.error ?? 'no answer'}`);
      return outcome;
    } finally {
      await slot.release();
    }
  },
};
