import {
  deferRecalculations,
  hasDueRecalculations,
  isDatabaseUnavailable,
  type OutboxEntry,
  organizationToday,
  settleRecalculations,
  takeDueRecalculations,
  withTenantDb,
} from '@medstock/db';
import type { JobContext } from '../jobs/job-context.ts';
import { errorFields, errorMessage } from '../logger.ts';
import { wakeNotifications } from '../notifications/wake-notify.ts';
import { enqueueWebhookDeliveries } from './enqueue-deliveries.ts';
import { recalculateBatch } from './recalculate.ts';

export interface DrainResult {
  recalculated: number;
  deferred: number;
  passes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Drains an organisation's recalculation outbox: takes due item-locations in small batches,
 * recalculates each batch and deletes its rows in the same transaction (so a row disappears only
 * with a committed recalculation), and sends the batch's webhooks right after the commit. Runs
 * until nothing is due; `waitForHeld` also waits out rows another drainer holds right now, so a
 * change that landed during that drainer's pass is not left for the next periodic drain.
 *
 * An unreachable database ends the drain with the error (the job retries with backoff, the
 * periodic drain tries again; the rows are still there). Any other failure is the data's: the
 * batch is retried one item-location at a time and only the failing ones are deferred with
 * backoff (RECALC_RETRY_BASE_MS doubling up to RECALC_RETRY_MAX_MS).
 */
export async function drainRecalculationOutbox(
  ctx: Pick<JobContext, 'config' | 'database' | 'producer' | 'log'>,
  tenantId: string,
  opts: { budgetMs?: number; waitForHeld?: boolean } = {},
): Promise<DrainResult> {
  const { config, database } = ctx;
  const tenant = { organizationId: tenantId };
  const deadline = Date.now() + (opts.budgetMs ?? 30_000);
  const result: DrainResult = { recalculated: 0, deferred: 0, passes: 0 };
  // After a failed batch, go one by one through as many rows as it had, to find the bad ones.
  let isolate = 0;
  // Whether an alert opened or changed: the notification job then runs now (robots, issue 11).
  let alerted = false;
  while (Date.now() < deadline) {
    const size = isolate > 0 ? 1 : config.RECALC_DRAIN_BATCH_SIZE;
    let taken: OutboxEntry[] = [];
    try {
      const deliveryIds = await withTenantDb(database.db, tenant, async (tx) => {
        taken = await takeDueRecalculations(tx, tenantId, size);
        if (taken.length === 0) return [];
        const applied = await recalculateBatch(tx, taken, null, await organizationToday(tx));
        await settleRecalculations(tx, taken);
        alerted ||= applied.opened + applied.updated > 0;
        return applied.deliveryIds;
      });
      result.passes++;
      if (taken.length === 0) {
        if (!opts.waitForHeld) break;
        const stillDue = await withTenantDb(database.db, tenant, hasDueRecalculations);
        if (!stillDue) break;
        await sleep(50);
        continue;
      }
      result.recalculated += taken.length;
      if (isolate > 0) isolate -= taken.length;
      await enqueueWebhookDeliveries(ctx, tenantId, deliveryIds);
    } catch (err) {
      if (isDatabaseUnavailable(err) || taken.length === 0) throw err;
      if (taken.length > 1) {
        isolate = taken.length;
        continue;
      }
      ctx.log.warn(
        { ...errorFields(err), itemId: taken[0]!.itemId, locationId: taken[0]!.locationId },
        'recalculation failed; retrying later with backoff',
      );
      const message = errorMessage(err);
      await withTenantDb(database.db, tenant, (tx) =>
        deferRecalculations(tx, taken, message, {
          baseMs: config.RECALC_RETRY_BASE_MS,
          maxMs: config.RECALC_RETRY_MAX_MS,
        }),
      );
      result.deferred++;
      isolate = Math.max(0, isolate - 1);
    }
  }
  if (alerted) await wakeNotifications(ctx, tenantId);
  return result;
}
