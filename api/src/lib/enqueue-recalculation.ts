import { type ItemLocationRef, requestRecalculation, withTenantDb } from '@medstock/db';
import type { AppDeps } from '../deps.ts';

/**
 * Wakes the worker to recalculate what a committed change marked in the recalculation outbox
 * (postMovement and the other stock and in-transit changes mark it in their own transaction).
 * Redis only speeds this up: if the enqueue fails, the worker's periodic drain finds the rows.
 */
export async function wakeRecalculation(deps: AppDeps, tenantId: string): Promise<void> {
  await deps.jobs.wakeRecalculationDrain(tenantId);
}

/**
 * For a committed change that did not mark the outbox in its own transaction (a catalogue or
 * par-level edit, an anomaly verdict): records the item-locations in the outbox now, then wakes
 * the worker. Never fails the request: the change itself has committed, and the scheduled full
 * recalculation covers the rare case where even this write fails.
 */
export async function enqueueRecalculation(
  deps: AppDeps,
  tenantId: string,
  pairs: readonly ItemLocationRef[],
): Promise<void> {
  if (pairs.length === 0) return;
  try {
    await withTenantDb(deps.database.db, { organizationId: tenantId }, (tx) =>
      requestRecalculation(tx, pairs),
    );
  } catch {
    return;
  }
  await wakeRecalculation(deps, tenantId);
}
