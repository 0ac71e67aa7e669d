import type { DemandPrior } from '../forecast/outlook-types.ts';
import type { EngineInput } from './engine-input.ts';

/** Own history (days) from which a series no longer needs a prior at all. */
export const PRIOR_NOT_NEEDED_DAYS = 365;
/** Other sites count for pooling only with at least this much history of their own. */
export const POOLING_MIN_DAYS = 90;
/** How many days of evidence the template's typical usage is worth: a starting point, quickly outweighed. */
export const TEMPLATE_PRIOR_WEIGHT_DAYS = 30;
const DAYS_PER_MONTH = 365.25 / 12;

/** Mean daily demand over the days the location had stock (stock-out days tell nothing about demand). */
function observedRate(input: EngineInput): { rate: number; days: number } {
  let sum = 0;
  let days = 0;
  input.history.forEach((x, i) => {
    if (input.stockoutDays?.[i]) return;
    sum += x;
    days++;
  });
  return { rate: days > 0 ? sum / days : 0, days };
}

/**
 * Gives each short series a prior to lean on: first the same item's rate pooled over the
 * organisation's other locations that have a history of their own (real use in this organisation),
 * else the catalogue template's typical monthly usage. Long series get none. A new site or a new
 * clinic thus starts from a sensible level instead of zero, and its own history takes over as it
 * grows (the forecaster shrinks towards the prior with weightDays).
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
      .map(observedRate);
    input.prior = pooledOrTemplatePrior(others, input.typicalMonthlyUsage);
  }
}

/** Pooled prior from other sites' observed rates, weighted by their days; else the template's usage. */
export function pooledOrTemplatePrior(
  others: ReadonlyArray<{ rate: number; days: number }>,
  typicalMonthlyUsage: number | null,
): DemandPrior | null {
  const days = others.reduce((a, o) => a + o.days, 0);
  if (days > 0) {
    const rate = others.reduce((a, o) => a + o.rate * o.days, 0) / days;
    // A site is not the chain: another site's history is worth at most a quarter year of our own.
    return { dailyRate: rate, weightDays: Math.min(90, days / others.length / 4), source: 'pooled' };
  }
  if (typicalMonthlyUsage !== null && typicalMonthlyUsage > 0)
    return {
      dailyRate: typicalMonthlyUsage / DAYS_PER_MONTH,
      weightDays: TEMPLATE_PRIOR_WEIGHT_DAYS,
      source: 'template',
    };
  return null;
}
