import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET, evaluateAlerts } from '../../src/alerts/index.ts';
import { computeItemLocation } from '../../src/engine/compute-item-location.ts';
import { DEFAULT_ENGINE_SETTINGS, type EngineInput, type Outlooker } from '../../src/engine/engine-input.ts';
import { assignPriors } from '../../src/engine/priors.ts';
import type { DemandOutlook, OutlookInput } from '../../src/forecast/outlook-types.ts';
import { poissonCdf, poissonQuantile } from '../../src/stats/discrete.ts';

/** A Poisson outlook at a fixed daily rate: enough to check the engine's plumbing exactly. */
const poissonOutlook =
  (rate: number): Outlooker =>
  (input: OutlookInput): DemandOutlook => {
    const r = input.prior ? input.prior.dailyRate : rate;
    return {
      grain: 'daily',
      model: 'test-poisson',
      family: 'poisson',
      demandClass: 'smooth',
      score: null,
      daily: Array(input.horizonDays).fill(r),
      total: (from, to) => {
        const m = r * Math.max(0, to - from);
        return {
          mean: m,
          sd: Math.sqrt(m),
          cdf: (x) => poissonCdf(x, m),
          quantile: (p) => poissonQuantile(p, m),
          label: `Poisson(${m})`,
        };
      },
      periods: [],
      prior: input.prior?.source ?? null,
      explanation: { zh: '', en: '' },
    };
  };

function input(over: Partial<EngineInput> = {}): EngineInput {
  return {
    today: '2026-12-01',
    item: {
      id: 'i1',
      code: 'GAUZE',
      nameZh: '纱布',
      nameEn: 'Gauze',
      ved: 'E',
      abc: 'B',
      unitCost: 1,
      baseUnit: '片',
    },
    location: { id: 'l1', name: '中心库房', siteName: '总院' },
    history: Array(120).fill(10),
    historyStartDate: '2026-08-03',
    balance: Array(120).fill(100),
    stockoutDays: Array(120).fill(false),
    planned: Array(90).fill(0),
    onHand: 100,
    inTransit: 0,
    arrivals: [],
    lots: [{ lotNumber: '', expiryDate: null, onHand: 100 }],
    leadTimes: { observedDays: [], nominalDays: 7 },
    supplier: null,
    parMax: null,
    parMin: null,
    typicalMonthlyUsage: null,
    lastIssueDaysAgo: 1,
    pendingAnomalies: [],
    latePurchaseOrders: [],
    substitutesInStock: [],
    transferSource: null,
    ...over,
  };
}

const types = (i: EngineInput, rate = 10) =>
  evaluateAlerts(
    computeItemLocation(i, DEFAULT_ENGINE_SETTINGS, poissonOutlook(rate)).state,
    DEFAULT_RULE_SET,
  ).map((a) => a.type);

describe('computeItemLocation: honest probabilities over named horizons', () => {
  it('is exactly 1 on both horizons when the item is already out', () => {
    const s = computeItemLocation(
      input({ onHand: 0, lots: [] }),
      DEFAULT_ENGINE_SETTINGS,
      poissonOutlook(10),
    ).state;
    expect(s.stockoutProbability.value).toBe(1);
    expect(s.stockoutWithinHorizon.value).toBe(1);
  });

  it('is null (unknown), not 0, for a new item-location with no demand evidence and no prior', () => {
    const s = computeItemLocation(
      input({ history: [0, 0, 0], balance: [50, 50, 50], stockoutDays: [false, false, false], onHand: 50 }),
      DEFAULT_ENGINE_SETTINGS,
      poissonOutlook(10),
    ).state;
    expect(s.stockoutProbability.value).toBeNull();
    expect(s.stockoutWithinHorizon.value).toBeNull();
    expect(s.demand.model).toBe('none');
  });

  it('within 30 days ≥ before the next receipt when the lead time is shorter, and an arrival lowers it', () => {
    const base = computeItemLocation(
      input({ onHand: 120 }),
      DEFAULT_ENGINE_SETTINGS,
      poissonOutlook(10),
    ).state;
    expect(base.stockoutWithinHorizon.horizonDays).toBe(30);
    expect(base.stockoutWithinHorizon.value!).toBeGreaterThan(base.stockoutProbability.value!);
    const withArrival = computeItemLocation(
      input({ onHand: 120, inTransit: 300, arrivals: [{ day: 5, quantity: 300 }] }),
      DEFAULT_ENGINE_SETTINGS,
      poissonOutlook(10),
    ).state;
    expect(withArrival.stockoutWithinHorizon.value!).toBeLessThan(base.stockoutWithinHorizon.value!);
  });

  it('takes the reorder point from the demand until an order placed today arrives', () => {
    const s = computeItemLocation(input(), DEFAULT_ENGINE_SETTINGS, poissonOutlook(10)).state;
    // 7-day nominal lead time, 10/day: E[D_L] = 70; a 95th-percentile above the mean.
    expect(s.reorderPoint.value).toBeGreaterThan(70);
    expect(s.safetyStock.value).toBeCloseTo(s.reorderPoint.value - 70, 0);
  });
});

describe('alerts a new clinic gets from day one', () => {
  it('flags expiry risk for a new item-location with unknown usage only for lots expiring within the horizon', () => {
    const fresh = (expiryDate: string) =>
      input({
        history: [0, 0, 0],
        balance: [50, 50, 50],
        stockoutDays: [false, false, false],
        onHand: 50,
        lots: [{ lotNumber: 'L1', expiryDate, onHand: 50 }],
      });
    // Usage unknown: a lot two years out is no alarm, a lot expiring in a month is.
    expect(types(fresh('2028-12-01'))).not.toContain('expiry_risk');
    expect(types(fresh('2026-12-31'))).toContain('expiry_risk');
    // Usage known (ten a day): 50 units of a lot expiring in 3 days will not all be used up.
    expect(
      types(input({ onHand: 50, lots: [{ lotNumber: 'L1', expiryDate: '2026-12-04', onHand: 50 }] })),
    ).toContain('expiry_risk');
  });

  it('zero on-hand is always an alert, even with no forecast at all', () => {
    const none = input({ history: [], balance: [], stockoutDays: [], onHand: 0, lots: [] });
    expect(types(none)).toContain('stocked_out');
  });

  it('a par minimum warns before any history exists', () => {
    const fresh = input({ history: [0], balance: [5], stockoutDays: [false], onHand: 5, parMin: 20 });
    expect(types(fresh)).toContain('below_par_minimum');
    expect(types({ ...fresh, onHand: 25 })).not.toContain('below_par_minimum');
  });

  it('the template’s typical usage gives a new clinic a forecast and a probability', () => {
    const fresh = input({
      history: [0],
      balance: [10],
      stockoutDays: [false],
      onHand: 10,
      typicalMonthlyUsage: 300,
    });
    assignPriors([fresh]);
    expect(fresh.prior?.source).toBe('template');
    const s = computeItemLocation(fresh, DEFAULT_ENGINE_SETTINGS, poissonOutlook(0)).state;
    expect(s.demand.dailyMean).toBeGreaterThan(5);
    expect(s.stockoutProbability.value).not.toBeNull();
    expect(evaluateAlerts(s, DEFAULT_RULE_SET).map((a) => a.type)).toContain('stockout_risk');
  });

  it('pools the same item’s rate from other sites before the template', () => {
    const long = input({
      location: { id: 'l2', name: '药房', siteName: '分院' },
      history: Array(200).fill(4),
    });
    const fresh = input({ history: [0], balance: [10], stockoutDays: [false], typicalMonthlyUsage: 300 });
    assignPriors([long, fresh]);
    expect(fresh.prior?.source).toBe('pooled');
    expect(fresh.prior?.dailyRate).toBeCloseTo(4, 5);
    expect(long.prior).toBeNull();
  });
});
