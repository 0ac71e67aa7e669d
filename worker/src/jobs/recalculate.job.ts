import { enqueueWebhookDeliveries } from '../engine/enqueue-deliveries.ts';
import { recalculateAll } from '../engine/recalculate.ts';
import type { JobDefinition } from './job-context.ts';

/**
 * A full recalculation of an organisation (every item-location): scheduled, after a rule change,
 * after an import. Each batch's webhooks are enqueued as soon as the batch commits.
 */
export const recalculateJob: JobDefinition<'recalculate'> = {
  description: 'full early-warning recalculation of one organisation, in committed batches',
  async handle(ctx, job) {
    const { tenantId } = job.data;
    const r = await recalculateAll(ctx.database, tenantId, {
      batchSize: ctx.config.ENGINE_BATCH_SIZE,
      // Progress is for display: a Redis restart (the job's key gone) must not fail the run.
      onBatch: (done, total) => job.updateProgress({ done, total }).catch(() => undefined),
      onBatchCommitted: (deliveryIds) => enqueueWebhookDeliveries(ctx, tenantId, deliveryIds),
    });
    // Another full run holds the organisation's lock (e.g. rules changed mid-run): fail this
    // attempt so BullMQ retries it with backoff, and the new rules get a complete pass.
    if (r.skipped)
      throw new Error('a full recalculation of this organisation is already running; retrying later');
    return {
      runId: r.runId,
      resumed: r.resumed,
      itemLocations: r.itemLocations,
      opened: r.opened,
      updated: r.updated,
      resolved: r.resolved,
    };
  },
};
