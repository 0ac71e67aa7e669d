import type { AppDeps } from '../deps.ts';

/**
 * Hands webhook deliveries to the worker. Call it after the withTenantDb transaction that
 * emitted the event has returned (committed), with the `deliveryIds` emitEvent gave you:
 *
 *   const { result, deliveryIds } = await withTenantDb(db, auth, async (tx) => { ...; return { result, deliveryIds: (await emitEvent(tx, ...)).deliveryIds }; });
 *   await enqueueDeliveries(deps, auth.organizationId, deliveryIds);
 *
 * One job per delivery with the delivery's id as job id, so repeated calls collapse. Never
 * fails the request: if Redis is unreachable the deliveries stay pending and the per-tenant
 * sweeper enqueues them later.
 */
export async function enqueueDeliveries(
  deps: AppDeps,
  tenantId: string,
  deliveryIds: readonly string[],
): Promise<void> {
  await deps.jobs.enqueueWebhookDeliveries(tenantId, deliveryIds);
}
