import type { JobContext } from '../jobs/job-context.ts';

/**
 * Hands webhook deliveries written by the engine to the delivery queue once their transaction has
 * committed. Never throws: deliveries left pending are re-sent by the per-tenant sweeper.
 */
export async function enqueueWebhookDeliveries(
  ctx: Pick<JobContext, 'producer'>,
  tenantId: string,
  deliveryIds: readonly string[],
): Promise<void> {
  await ctx.producer.enqueueWebhookDeliveries(tenantId, deliveryIds);
}
