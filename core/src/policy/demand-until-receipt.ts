import type { DemandOutlook, DemandTotal } from '../forecast/outlook-types.ts';
import { fmt } from './explain.ts';
import { type LeadTimeDays, leadTimeStrata } from './stockout-risk.ts';

/**
 * Demand from today until an order placed today arrives, D_L: the outlook's demand over [0, L)
 * mixed over the lead-time distribution (the same lognormal strata the stockout probability
 * uses, so the reorder point and P(stockout before the next receipt) come from one distribution).
 * F(x) = mean over strata of F_{D[0, L_i)}(x); the quantile is found by bisection on F.
 */
export function demandUntilReceipt(outlook: DemandOutlook, leadTime: LeadTimeDays): DemandTotal {
  const strata = leadTimeStrata(Math.max(0, leadTime.meanDays), Math.max(0, leadTime.sdDays));
  const parts = strata.map((t) => outlook.total(0, Math.max(t, 1e-9)));
  const mean = parts.reduce((a, d) => a + d.mean, 0) / parts.length;
  // Law of total variance over the strata.
  const second = parts.reduce((a, d) => a + d.sd * d.sd + d.mean * d.mean, 0) / parts.length;
  const sd = Math.sqrt(Math.max(0, second - mean * mean));
  if (parts.length === 1) return parts[0]!;
  const cdf = (x: number) => parts.reduce((a, d) => a + d.cdf(x), 0) / parts.length;
  return {
    mean,
    sd,
    cdf,
    quantile(p: number): number {
      let lo = 0;
      let hi = Math.max(1, ...parts.map((d) => d.quantile(Math.min(p, 0.999999))));
      if (cdf(lo) >= p) return 0;
      for (let i = 0; i < 60 && hi - lo > 1e-6 * Math.max(1, hi); i++) {
        const mid = (lo + hi) / 2;
        if (cdf(mid) >= p) hi = mid;
        else lo = mid;
      }
      return hi;
    },
    label: `${parts[Math.floor(parts.length / 2)]!.label.split('(')[0]} mixed over L ${fmt(leadTime.meanDays, 1)} ± ${fmt(leadTime.sdDays, 1)} d (mean ${fmt(mean)}, sd ${fmt(sd)})`,
  };
}
