import type { DemandOutlook, DemandTotal } from '../forecast/outlook-types.ts';

/**
 * Adds known demand from scheduled procedures (planned[k] = units on day k) to an outlook. The
 * schedule is taken as certain: it shifts each window's distribution by the planned units in it
 * without widening it — procedures are booked, the uncertainty is in the walk-in demand.
 */
export function withPlannedDemand(outlook: DemandOutlook, planned: readonly number[]): DemandOutlook {
  if (!planned.some((x) => x > 0)) return outlook;
  const prefix = [0];
  for (const x of planned) prefix.push(prefix[prefix.length - 1]! + x);
  const plannedIn = (from: number, to: number) => {
    const at = (d: number) => {
      const i = Math.max(0, Math.min(planned.length, d));
      const lo = Math.floor(i);
      // Fractional days take the matching share of that day's planned units.
      return prefix[lo]! + (lo < planned.length ? (i - lo) * planned[lo]! : 0);
    };
    return Math.max(0, at(to) - at(from));
  };
  const shift = (d: DemandTotal, s: number): DemandTotal =>
    s === 0
      ? d
      : {
          mean: d.mean + s,
          sd: d.sd,
          cdf: (x) => d.cdf(x - s),
          quantile: (p) => d.quantile(p) + s,
          label: `${d.label} + planned ${Math.round(s * 100) / 100}`,
        };
  return {
    ...outlook,
    daily: outlook.daily.map((x, i) => x + (planned[i] ?? 0)),
    total: (from, to) => shift(outlook.total(from, to), plannedIn(from, to)),
  };
}
