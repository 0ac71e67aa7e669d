import { pooledPrior, templatePrior } from '../forecast/outlook.ts';
import type { EngineInput } from './engine-input.ts';

/** Own history (days) from which a series no longer needs a prior at all. */
export const PRIOR_NOT_NEEDED_DAYS = 365;
/** Other sites count for pooling only with at least this much history of their own. */
export const POOLING_MIN_DAYS = 90;

/** Mean daily demand over the days the location had stock (stock-out days tell nothing about demand). */
function observedUsage(input: EngineInput): { dailyRate: number; historyDays: number } {
  let sum = 0;
  let days = 0;
  input.history.forEach((x, i) => {
    if (input.stockoutDays?.[i]) return;
    sum += x;
    days++;
  });
  return { dailyRate: days > 0 ? sum / days : 0, historyDays: days };
}

/**
 * Gives each short series a prior to lean on: first the same item's rate pooled over the
 * organisation's other locations that have a history of their own (real use in this
 * organisation), else the catalogue template's typical monthly usage. Long series get none. A new
 * site or a new clinic thus starts from a sensible level instead of zero, and its own history
 * takes over as it grows (the forecaster shrinks towards the prior by its weightDays).
 */
export function assignPriors(inputs: EngineInput[]): void {
  const byItem = new Map<string, EngineInput[]>();
  for (const i of inputs) {
    const list = byItem.get(i.item.id) ?? [];
    list.push(i);
    byItem.set(i.item.id, list);
  }
  for (const input of inputs) {
    if (input.history.length >= PRIOR_NOT_NEEDED_DAYS) {
      input.prior = null;
      continue;
    }
    const others = (byItem.get(input.item.id) ?? [])
      .filter((o) => o !== input && o.history.length >= POOLING_MIN_DAYS)
      .map(observedUsage);
    input.prior =
      pooledPrior(others, { minHistoryDays: POOLING_MIN_DAYS }) ??
      (input.typicalMonthlyUsage !== null && input.typicalMonthlyUsage > 0
        ? templatePrior(input.typicalMonthlyUsage)
        : null);
  }
}
