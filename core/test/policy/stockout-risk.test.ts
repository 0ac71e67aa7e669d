import { describe, expect, it } from 'vitest';
import type { DemandOutlook, DemandTotal } from '../../src/forecast/outlook-types.ts';
import { probabilityBy, stockoutRisk } from '../../src/policy/stockout-risk.ts';
import { poissonCdf, poissonQuantile } from '../../src/stats/discrete.ts';

/** A Poisson demand outlook at `rate` units a day (independent days), built directly for the tests. */
function poissonOutlook(rate: number): DemandOutlook {
  const total = (from: number, to: number): DemandTotal => {
    const m = rate * Math.max(0, to - from);
    return {
      mean: m,
      sd: Math.sqrt(m),
      cdf: (x) => poissonCdf(x, m),
      quantile: (p) => poissonQuantile(p, m),
      label: `Poisson(mean ${m.toFixed(1)})`,
    };
  };
  return {
    grain: 'daily',
    model: 'test',
    family: 'poisson',
    demandClass: 'smooth',
    score: null,
    daily: Array.from({ length: 60 }, () => rate),
    total,
    periods: [],
    prior: null,
    explanation: { en: 'test', zh: '测试' },
  };
}

const lt = { meanDays: 14, sdDays: 4 };

describe('stockoutRisk', () => {
  it('is exactly 1 for both horizons when on-hand plus due arrivals is ≤ 0, even without a forecast', () => {
    for (const r of [
      stockoutRisk({ onHand: 0, outlook: poissonOutlook(1), leadTime: lt }),
      stockoutRisk({ onHand: -3, inTransit: [{ day: 0, qty: 2 }], outlook: null, leadTime: lt }),
    ]) {
      expect(r.withinDays.value).toBe(1);
      expect(r.beforeReceipt.value).toBe(1);
      expect(r.withinDays.basis).toBe('already_out');
      expect(r.withinDays.substituted.en).toContain('already out');
      expect(r.withinDays.substituted.zh).toContain('已缺货');
    }
  });

  it('a due arrival (day ≤ 0) counts as on hand', () => {
    const r = stockoutRisk({
      onHand: 0,
      inTransit: [{ day: 0, qty: 100 }],
      outlook: poissonOutlook(1),
      leadTime: lt,
    });
    expect(r.withinDays.basis).toBe('computed');
    expect(r.withinDays.value!).toBeLessThan(0.01);
  });

  it('is null, never 0, when on-hand is unknown or the outlook cannot be computed', () => {
    const unknown = stockoutRisk({ onHand: null, outlook: poissonOutlook(1), leadTime: lt });
    expect(unknown.withinDays.value).toBeNull();
    expect(unknown.beforeReceipt.value).toBeNull();
    expect(unknown.withinDays.basis).toBe('unknown_on_hand');
    const noOutlook = stockoutRisk({ onHand: 10, outlook: null, leadTime: lt });
    expect(noOutlook.withinDays.value).toBeNull();
    expect(noOutlook.beforeReceipt.basis).toBe('no_outlook');
    const broken: DemandOutlook = {
      ...poissonOutlook(1),
      total: () => {
        throw new Error('cannot');
      },
    };
    expect(stockoutRisk({ onHand: 10, outlook: broken, leadTime: lt }).withinDays.value).toBeNull();
  });

  it('without arrivals, within N days = P(D[0,N) ≥ on hand) = 1 − F(on hand − 1)', () => {
    const r = stockoutRisk({ onHand: 25, outlook: poissonOutlook(1), leadTime: lt, horizonDays: 30 });
    expect(r.withinDays.value).toBeCloseTo(1 - poissonCdf(24, 30), 12);
    expect(r.withinDays.formula.en).toContain('within N days');
    expect(r.withinDays.substituted.en).toMatch(/^P\(stockout within 30 days\) = \d+\.\d%/);
    expect(r.withinDays.substituted.zh).toContain('30天内缺货概率');
  });

  it('in-transit arrivals lower p, and earlier arrivals lower it more', () => {
    const o = poissonOutlook(1);
    const none = stockoutRisk({ onHand: 20, outlook: o, leadTime: lt }).withinDays.value!;
    const late = stockoutRisk({ onHand: 20, inTransit: [{ day: 25, qty: 30 }], outlook: o, leadTime: lt })
      .withinDays.value!;
    const early = stockoutRisk({ onHand: 20, inTransit: [{ day: 10, qty: 30 }], outlook: o, leadTime: lt })
      .withinDays.value!;
    expect(late).toBeLessThan(none);
    expect(early).toBeLessThan(late);
    // Before the next receipt too.
    const b0 = stockoutRisk({ onHand: 10, outlook: o, leadTime: lt }).beforeReceipt.value!;
    const b1 = stockoutRisk({ onHand: 10, inTransit: [{ day: 5, qty: 20 }], outlook: o, leadTime: lt })
      .beforeReceipt.value!;
    expect(b1).toBeLessThan(b0);
  });

  it('with an arrival the stepped computation is exact for whole units', () => {
    const o = poissonOutlook(2);
    const p = probabilityBy(o, 15, [{ day: 8, qty: 20 }], 20);
    // Exact by hand: the stock is used up before day 8 (D8 ≥ 15) or by day 20 (D20 ≥ 35).
    let survive = 0;
    for (let k = 0; k <= 14; k++) {
      const pk = poissonCdf(k, 16) - poissonCdf(k - 1, 16);
      survive += pk * poissonCdf(34 - k, 24);
    }
    expect(p).toBeCloseTo(1 - survive, 10);
  });

  it('within N days is non-decreasing in N', () => {
    const o = poissonOutlook(1.5);
    let last = 0;
    for (const N of [1, 5, 10, 15, 20, 25, 30, 45, 60]) {
      const v = stockoutRisk({
        onHand: 30,
        inTransit: [{ day: 12, qty: 15 }],
        outlook: o,
        leadTime: lt,
        horizonDays: N,
      }).withinDays.value!;
      expect(v).toBeGreaterThanOrEqual(last - 1e-12);
      last = v;
    }
    expect(last).toBeGreaterThan(0.5);
  });

  it('before the next receipt grows with the lead time and mixes over its spread', () => {
    const o = poissonOutlook(1);
    const p = (m: number, s: number) =>
      stockoutRisk({ onHand: 14, outlook: o, leadTime: { meanDays: m, sdDays: s } }).beforeReceipt.value!;
    expect(p(7, 0)).toBeLessThan(p(14, 0));
    expect(p(14, 0)).toBeLessThan(p(21, 0));
    expect(p(14, 0)).toBeCloseTo(1 - poissonCdf(13, 14), 12);
    // Spread in the lead time raises the risk for a stock set near the mean demand's upper tail.
    expect(p(10, 5)).toBeGreaterThan(p(10, 0));
  });

  it('consumption not yet posted (unreportedDays) counts against the on-hand', () => {
    const o = { ...poissonOutlook(1), unreportedDays: 10 };
    const r = stockoutRisk({ onHand: 25, outlook: o, leadTime: lt, horizonDays: 30 });
    expect(r.withinDays.value).toBeCloseTo(1 - poissonCdf(24, 40), 12);
  });

  it('recalibration moves computed values only and the explanation says so', () => {
    const recal = {
      apply: (x: number) => x / 2,
      label: { en: 'isotonic, 400 rows', zh: '保序回归，400 条' },
    };
    const r = stockoutRisk({
      onHand: 25,
      outlook: poissonOutlook(1),
      leadTime: lt,
      recalibration: { withinDays: recal },
    });
    expect(r.withinDays.value).toBeCloseTo(r.withinDays.raw! / 2, 12);
    expect(r.withinDays.recalibrated).toBe(true);
    expect(r.withinDays.substituted.en).toContain('recalibrated');
    expect(r.withinDays.substituted.zh).toContain('校准');
    const out = stockoutRisk({
      onHand: 0,
      outlook: poissonOutlook(1),
      leadTime: lt,
      recalibration: { withinDays: recal },
    });
    expect(out.withinDays.value).toBe(1);
  });
});
