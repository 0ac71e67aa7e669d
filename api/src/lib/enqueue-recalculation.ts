import type { AppDeps } from '../deps.ts';

/** Events arriving within one window for the same item-location collapse into one job. */
export const DEBOUNCE_MS = 250;

/**
 * Asks the worker to recalculate the item-locations a committed change touched. The job id is
 * deterministic per item-location and time window, so a burst of movements is de-duplicated
 * while a movement arriving during a running recalculation still gets its own, later job. A
 * failure to enqueue never fails the request: the scheduled full recalculation catches up.
 */
export async function enqueueRecalculation(
  deps: AppDeps,
  tenantId: string,
  pairs: Array<{ itemId: string; locationId: string }>,
) {
  const unique = [...new Map(pairs.map((p) => [`${p.itemId}|${p.locationId}`, p])).values()];
  const window = Math.floor(Date.now() / DEBOUNCE_MS);
  await Promise.all(
    unique.map((p) =>
      deps.queue
        .add(
          'recalculate',
          { tenantId, items: [[p.itemId, p.locationId]] },
          {
            jobId: `recalc_${tenantId}_${p.itemId}_${p.locationId}_${window}`,
            delay: DEBOUNCE_MS,
            removeOnComplete: true,
            removeOnFail: 100,
            attempts: 3,
          },
        )
        .catch(() => undefined),
    ),
  );
}
