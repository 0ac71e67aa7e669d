import { describe, expect, it } from 'vitest';
import {
  daysOfCover,
  estimateLeadTime,
  expiryRisk,
  leadTimeDrift,
  minMaxPolicy,
  orderUpToPolicy,
  simulateMinMax,
  simulatePolicy,
  tuneMinMax,
  turnoverDays,
} from '../../src/policy/index.ts';

describe('lead-time estimation', () => {
  it('shrinks towards the nominal lead time with prior weight 3', () => {
    // n = 2, x̄ = 15, L₀ = 10: (3·10 + 2·15) / 5 = 12
    // σ² = (3·2.5² + 2 + (3·2/5)·5²) / 5 = (18.75 + 2 + 30) / 5 = 10.15
    const e = estimateLeadTime([14, 16], { nominalDays: 10 });
    expect(e.mean.value).toBe(12);
    expect(e.sd.value).toBeCloseTo(Math.sqrt(10.15), 12);
    expect(e.sd.substituted).toBe('σL = √((3·2.50² + 2.00 + 1.20·5.00²) / 5) = 3.19');
    expect(e.mean.substituted).toBe('L̄ = (3·10.00 + 2·15.00) / (3 + 2) = 12.00');
    expect(e.drift.driftDays).toBeNull();
  });

  it('no history → the prior; much history → the data', () => {
    expect(estimateLeadTime([], { nominalDays: 10, nominalSdDays: 2 })).toMatchObject({
      sd: { value: 2 },
      n: 0,
    });
    expect(estimateLeadTime([], { nominalDays: 10 }).mean.value).toBe(10);
    const many = estimateLeadTime(new Array<number>(300).fill(20), { nominalDays: 10 });
    expect(many.mean.value).toBeGreaterThan(19.8);
  });

  it('reports the same drift as the KPI page and the alert (core leadTimeDrift)', () => {
    const history = [10, 10, 10, 13, 13, 16];
    const e = estimateLeadTime(history, { nominalDays: 10 });
    expect(e.drift).toEqual(leadTimeDrift(history));
    expect(e.drift.driftDays).toBe(4);
  });
});

describe('days of cover and turnover', () => {
  it('position ÷ rate, range from the forecast sd', () => {
    expect(daysOfCover({ position: 100, dailyRate: 10 })).toMatchObject({
      value: 10,
      inputs: { low: 10, high: 10 },
    });
    const c = daysOfCover({ position: 100, dailyRate: 10, dailySd: 5, z: 1.645 });
    const { low, high } = c.inputs;
    expect(low).toBeLessThan(10);
    expect(high).toBeGreaterThan(10);
    // At the low end, high demand d̄·D + zσ√D uses up the position exactly.
    expect(10 * low + 1.645 * 5 * Math.sqrt(low)).toBeCloseTo(100, 8);
    expect(10 * high - 1.645 * 5 * Math.sqrt(high)).toBeCloseTo(100, 8);
    expect(c.substituted).toBe(
      `cover = 100.00 ÷ 10.00 = 10.0 days (range ${low.toFixed(1)}–${high.toFixed(1)})`,
    );
    expect(daysOfCover({ position: 5, dailyRate: 0 }).value).toBe(Number.POSITIVE_INFINITY);
    expect(daysOfCover({ position: 0, dailyRate: 3 }).value).toBe(0);
  });

  it('turnover days = average inventory value ÷ daily consumption value', () => {
    expect(
      turnoverDays({ averageInventoryValue: 3000, consumptionValue: 36500, periodDays: 365 }).value,
    ).toBe(30);
  });
});

describe('expiry risk (FEFO)', () => {
  const lots = [
    { lot: 'C', qty: 40, expiry: 20, unitCost: 5 },
    { lot: 'A', qty: 50, expiry: 3, unitCost: 2 },
    { lot: 'B', qty: 100, expiry: 10, unitCost: 1 },
  ];

  it('consumes lots in expiry order at the forecast rate', () => {
    // A: days 0–3 uses 30, 20 left (value 40). B: days 3–10 uses 70, 30 left (30).
    // C: from day 10 uses all 40 by day 14.
    const r = expiryRisk(lots, 10);
    expect(r.lots.map((l) => [l.lot, l.qtyAtRisk, l.valueAtRisk])).toEqual([
      ['A', 20, 40],
      ['B', 30, 30],
      ['C', 0, 0],
    ]);
    expect(r.value).toBe(70);
    expect(r.qtyAtRisk).toBe(50);
    expect(r.lots[2]).toMatchObject({ startDay: 10, endDay: 14 });
  });

  it('a lot used up early lets the next one start sooner', () => {
    const r = expiryRisk(
      [
        { lot: 'X', qty: 20, expiry: 10, unitCost: 1 },
        { lot: 'Y', qty: 100, expiry: 12, unitCost: 3 },
      ],
      10,
    );
    expect(r.lots[1]).toMatchObject({ startDay: 2, consumed: 100, qtyAtRisk: 0 });
  });

  it('accepts ISO expiry dates with an as-of date; expired lots are all at risk', () => {
    const r = expiryRisk(
      [
        { lot: 'old', qty: 5, expiry: '2024-12-31', unitCost: 4 },
        { lot: 'new', qty: 50, expiry: '2025-01-11', unitCost: 1 },
      ],
      3,
      { asOf: '2025-01-01' },
    );
    expect(r.lots[0]).toMatchObject({ lot: 'old', expiryDay: -1, qtyAtRisk: 5, valueAtRisk: 20 });
    expect(r.lots[1]).toMatchObject({ lot: 'new', expiryDay: 10, qtyAtRisk: 20 });
    expect(() => expiryRisk([{ lot: 'x', qty: 1, expiry: '2025-01-01', unitCost: 1 }], 1)).toThrow(
      RangeError,
    );
  });
});

describe('policy simulation', () => {
  const demand = new Array<number>(60).fill(10);

  it('order-up-to L + R days of deterministic demand never stocks out', () => {
    // L = 2: an order at the end of day t is usable from day t + 3, so S = 3 × 10.
    const r = simulatePolicy(
      demand,
      orderUpToPolicy(() => 30),
      { leadTimeDays: 2, initialOnHand: 30 },
    );
    expect(r.fillRate).toBe(1);
    expect(r.cycleServiceLevel).toBe(1);
    expect(r.stockoutDays).toBe(0);
    // Steady state: 10 arrives each morning and is used the same day.
    expect(r.averageOnHand).toBeLessThan(1);
  });

  it('a level one day short stocks out every third day', () => {
    const r = simulatePolicy(
      demand,
      orderUpToPolicy(() => 20),
      { leadTimeDays: 2, initialOnHand: 30 },
    );
    expect(r.fillRate).toBeGreaterThan(0.6);
    expect(r.fillRate).toBeLessThan(0.75);
    expect(r.cycleServiceLevel).toBeCloseTo(r.fillRate, 1);
  });

  it('backorders are served on receipt', () => {
    const r = simulatePolicy(
      demand,
      orderUpToPolicy(() => 20),
      { leadTimeDays: 2, initialOnHand: 30, lostSales: false },
    );
    expect(r.fillRate).toBeLessThan(1);
  });

  it('min/max baseline and tuning to a fill rate', () => {
    const r = simulateMinMax(demand, { min: 30, max: 60, leadTimeDays: 2 });
    expect(r.fillRate).toBe(1);
    expect(
      minMaxPolicy(30, 60, { packSize: 25 })({ day: 0, onHand: 20, inTransit: 0, position: 20, history: [] }),
    ).toBe(50);
    const tuned = tuneMinMax(demand, { targetFillRate: 0.99, leadTimeDays: 2 });
    expect(tuned).not.toBeNull();
    expect(tuned!.result.fillRate).toBeGreaterThanOrEqual(0.99);
    expect(tuned!.result.averageOnHand).toBeLessThanOrEqual(r.averageOnHand);
  });
});
