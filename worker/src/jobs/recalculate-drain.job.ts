import { drainRecalculationOutbox } from '../engine/drain-outbox.ts';
import type { JobDefinition } from './job-context.ts';

/**
 * Recalculates the item-locations a change marked in the organisation's outbox (a movement, a
 * receipt, an order approved or cancelled, a par level …). The API enqueues it right after its
 * commit, debounced per organisation (JobProducer.wakeRecalculationDrain: a lone change runs at
 * once, a burst costs one leading and one trailing run per window); the worker's periodic drain
 * does the same work when Redis lost the job. A job
 * finding the database unreachable fails and is retried with backoff; its rows stay in the outbox.
 */
export const recalculateDrainJob: JobDefinition<'recalculate-drain'> = {
  description: 'event-driven recalculation: drains the organisation’s recalculation outbox',
  async handle(ctx, job) {
    return drainRecalculationOutbox(ctx, job.data.tenantId, { waitForHeld: true });
  },
};
