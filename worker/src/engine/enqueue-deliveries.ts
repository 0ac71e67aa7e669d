import type { JobContext } from '../jobs/job-context.ts';

/**
 * Hands webhook deliveries written by the engine to the delivery job. Until the webhook
 * delivery job is registered, deliveries stay pending in the table and the sweeper sends them.
 */
export async function enqueueWebhookDeliveries(
  ctx: JobContext,
  tenantId: string,
  deliveryIds: string[],
): Promise<void> {
  if (deliveryIds.length === 0 || !ctx.enqueue) return;
  await ctx.enqueue(tenantId, deliveryIds);
}
