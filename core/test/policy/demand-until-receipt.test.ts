import { describe, expect, it } from 'vitest';
import { series } from '../../bench/outlook-speed.bench.ts';
import { forecastOutlook } from '../../src/forecast/outlook.ts';
import type { DemandOutlook, DemandTotal } from '../../src/forecast/outlook-types.ts';
import { demandUntilReceipt } from '../../src/policy/demand-until-receipt.ts';
import { type LeadTimeDays, leadTimeStrata } from '../../src/policy/stockout-risk.ts';

/**
 * The quantile by plain bisection on the mixture's whole summed cdf, from the same start (the
 * largest stratum quantile): what the search that decides before summing every stratum must match.
 */
function plainQuantile(outlook: DemandOutlook, lt: LeadTimeDays, d: DemandTotal, p: number): number {
  const parts = leadTimeStrata(lt.meanDays, lt.sdDays).map((t) => outlook.total(0, Math.max(t, 1e-9)));
  let lo = 0;
  let hi = Math.max(1, ...parts.map((x) => x.quantile(Math.min(p, 0.999999))));
  if (d.cdf(lo) >= p) return 0;
  for (let i = 0; i < 60 && hi - lo > 1e-6 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (d.cdf(mid) >= p) hi = mid;
    else lo = mid;
  }
  return hi;
}

describe('demandUntilReceipt: quantile of the lead-time mixture', () => {
  it('is exactly the plain bisection on the summed cdf (daily, weekly and monthly outlooks)', () => {
    const lt = { meanDays: 9, sdDays: 3 };
    const families = new Set<string>();
    for (const kind of ['smooth', 'seasonal', 'intermittent', 'monthly'] as const)
      for (const seed of [3, 11]) {
        const outlook = forecastOutlook({
          history: series(kind, seed),
          startDate: '2023-01-01',
          horizonDays: 90,
        });
        families.add(outlook.family);
        const dL = demandUntilReceipt(outlook, lt);
        for (const p of [0.5, 0.9, 0.95, 0.99]) {
          const got = dL.quantile(p);
          expect(got).toBeGreaterThan(0);
          expect(got).toBe(plainQuantile(outlook, lt, dL, p));
        }
      }
    expect(families.size).toBeGreaterThan(1);
  });
});
