import { UnrecoverableError } from 'bullmq';
import { enqueueWebhookDeliveries } from '../engine/enqueue-deliveries.ts';
import { recalculateAll, recalculateItems } from '../engine/recalculate.ts';
import type { JobDefinition } from './job-context.ts';

const UUID = /^[0-9a-f-]{36}$/i;

/**
 * Recalculates the engine for an organisation: every item-location (`full`, scheduled) or just
 * the ones a stock event touched (`items`, enqueued by the API, debounced by job id).
 */
export const recalculateJob: JobDefinition = {
  description: 'early-warning recalculation (full per organisation, or the item-locations an event touched)',
  async handle(ctx, job) {
    const { tenantId } = job.data;
    const items = job.data.items as Array<[string, string]> | undefined;
    if (
      items !== undefined &&
      (!Array.isArray(items) ||
        items.some((p) => !Array.isArray(p) || !UUID.test(String(p[0])) || !UUID.test(String(p[1]))))
    ) {
      throw new UnrecoverableError('items must be [itemId, locationId] pairs');
    }
    if (items) {
      const r = await recalculateItems(
        ctx.database,
        tenantId,
        items.map(([itemId, locationId]) => ({ itemId, locationId })),
      );
      await enqueueWebhookDeliveries(ctx, tenantId, r.deliveryIds);
      return { itemLocations: items.length, opened: r.opened, updated: r.updated, resolved: r.resolved };
    }
    const r = await recalculateAll(ctx.database, tenantId, {
      batchSize: ctx.config.ENGINE_BATCH_SIZE,
      onBatch: (done, total) => job.updateProgress({ done, total }),
    });
    // Another full run holds the organisation's lock (e.g. rules changed mid-run): fail this
    // attempt so BullMQ retries it with backoff, and the new rules get a complete pass.
    if (r.skipped)
      throw new Error('a full recalculation of this organisation is already running; retrying later');
    await enqueueWebhookDeliveries(ctx, tenantId, r.deliveryIds);
    return {
      runId: r.runId,
      resumed: r.resumed,
      skipped: r.skipped,
      itemLocations: r.itemLocations,
      opened: r.opened,
      updated: r.updated,
      resolved: r.resolved,
    };
  },
};
