import type { DemandOutlook, DemandTotal } from '../forecast/outlook-types.ts';
import { fmt } from './explain.ts';
import { type LeadTimeDays, leadTimeStrata } from './stockout-risk.ts';

/** Upper bound of any cdf value (1, with room for a rounding excess of the incomplete beta/gamma). */
const CDF_MAX = 1 + 1e-9;

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
  const n = parts.length;
  const cdf = (x: number) => parts.reduce((a, d) => a + d.cdf(x), 0) / n;
  // cdf(x) >= p, deciding as soon as the strata not yet summed cannot change the answer: each adds
  // a value in [0, CDF_MAX], and rounded addition and division are monotone, so the partial sum
  // (plus CDF_MAX for each stratum left, added one by one) bounds the full sum as computed. Same
  // answer as cdf(x) >= p, with far fewer cdf evaluations at points well below the quantile.
  const atLeast = (x: number, p: number): boolean => {
    let a = 0;
    for (let i = 0; i < n; i++) {
      a += parts[i]!.cdf(x);
      let upper = a;
      for (let j = i + 1; j < n; j++) upper += CDF_MAX;
      if (upper / n < p) return false;
    }
    return a / n >= p;
  };
  return {
    mean,
    sd,
    cdf,
    quantile(p: number): number {
      let lo = 0;
      let hi = Math.max(1, ...parts.map((d) => d.quantile(Math.min(p, 0.999999))));
      if (atLeast(lo, p)) return 0;
      for (let i = 0; i < 60 && hi - lo > 1e-6 * Math.max(1, hi); i++) {
        const mid = (lo + hi) / 2;
        if (atLeast(mid, p)) hi = mid;
        else lo = mid;
      }
      return hi;
    },
    label: `${parts[Math.floor(parts.length / 2)]!.label.split('(')[0]} mixed over L ${fmt(leadTime.meanDays, 1)} ± ${fmt(leadTime.sdDays, 1)} d (mean ${fmt(mean)}, sd ${fmt(sd)})`,
  };
}
