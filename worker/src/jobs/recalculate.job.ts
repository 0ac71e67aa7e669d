import { enqueueWebhookDeliveries } from '../engine/enqueue-deliveries.ts';
import { recalculateAll, recalculateChanged } from '../engine/recalculate.ts';
import { wakeNotifications } from '../notifications/wake-notify.ts';
import type { JobDefinition } from './job-context.ts';

/**
 * A recalculation of an organisation: the scheduled cycle recalculates what changed; a full run
 * (after a rule change, an import, on request) every item-location. Each batch's webhooks are
 * enqueued as soon as the batch commits.
 */
export const recalculateJob: JobDefinition<'recalculate'> = {
  description: 'full early-warning recalculation of one organisation, in committed batches',
  async handle(ctx, job) {
    const { tenantId, scope } = job.data;
    const run = scope === 'changed' ? recalculateChanged : recalculateAll;
    const r = await run(ctx.database, tenantId, {
      batchSize: ctx.config.ENGINE_BATCH_SIZE,
      threads: ctx.config.ENGINE_THREADS,
      // Progress is for display: a Redis restart (the job's key gone) must not fail the run.
      onBatch: (done, total) => job.updateProgress({ done, total }).catch(() => undefined),
      onBatchCommitted: (deliveryIds) => enqueueWebhookDeliveries(ctx, tenantId, deliveryIds),
    });
    // Another run holds the organisation's lock (e.g. rules changed mid-run): a full run fails
    // this attempt so BullMQ retries it with backoff and the new rules get a complete pass; a
    // cycle simply ends (the next one, or the run holding the lock, covers it).
    if (r.opened + r.updated > 0) await wakeNotifications(ctx, tenantId);
    if (r.skipped && scope !== 'changed')
      throw new Error('a full recalculation of this organisation is already running; retrying later');
    return {
      scope: scope ?? 'full',
      runId: r.runId,
      resumed: r.resumed,
      itemLocations: r.itemLocations,
      opened: r.opened,
      updated: r.updated,
      resolved: r.resolved,
    };
  },
};
