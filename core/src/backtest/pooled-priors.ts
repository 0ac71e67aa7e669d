import { daysBetween } from '../dates/index.ts';
import { POOLING_MIN_DAYS, PRIOR_NOT_NEEDED_DAYS } from '../engine/priors.ts';
import { pooledPrior } from '../forecast/outlook.ts';
import type { DemandPrior } from '../forecast/outlook-types.ts';
import type { BacktestSeriesInput } from './backtest-types.ts';

/** The engine's history window: what it would have seen of another site at that date. */
const WINDOW_DAYS = 730;

function firstActivity(s: BacktestSeriesInput): number {
  for (let i = 0; i < s.demand.length; i++) if ((s.demand[i] ?? 0) > 0 || s.balance[i] != null) return i;
  return s.demand.length;
}

/** Mean daily demand over in-stock days with a known figure, in the window before `end` (exclusive). */
function usageBefore(s: BacktestSeriesInput, end: number): { dailyRate: number; historyDays: number } {
  let sum = 0;
  let days = 0;
  for (let i = Math.max(firstActivity(s), end - WINDOW_DAYS); i < Math.min(end, s.demand.length); i++) {
    const d = s.demand[i];
    if (d === null || d === undefined || s.stockoutDays?.[i]) continue;
    sum += d;
    days++;
  }
  return { dailyRate: days > 0 ? sum / days : 0, historyDays: days };
}

/**
 * The pooled prior as the engine would have had it at each as-of date (core/src/engine/priors.ts):
 * the same item's rate at the organisation's other locations, from their history before that date
 * only; else the series' own prior (the typical monthly usage). Pass the series of one item.
 */
export function withPooledPriors(group: readonly BacktestSeriesInput[]): BacktestSeriesInput[] {
  if (group.length < 2) return [...group];
  return group.map((s, idx) => ({
    ...s,
    priorAt: (asOf: string): DemandPrior | null => {
      const ownDays = daysBetween(s.startDate, asOf) - firstActivity(s);
      if (ownDays >= PRIOR_NOT_NEEDED_DAYS) return null;
      const others = group
        .filter((_, j) => j !== idx)
        .map((o) => usageBefore(o, daysBetween(o.startDate, asOf)))
        .filter((u) => u.historyDays >= POOLING_MIN_DAYS);
      return pooledPrior(others, { minHistoryDays: POOLING_MIN_DAYS }) ?? s.prior ?? null;
    },
  }));
}
