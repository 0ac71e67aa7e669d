import { describe, expect, it } from 'vitest';
import {
  classifyAbc,
  DEFAULT_SERVICE_LEVELS,
  economicOrderQuantity,
  fillRateSafetyFactor,
  orderUpToLevel,
  orderUpToQuantity,
  reorderPoint,
  roundOrderQuantity,
  safetyStock,
  serviceLevelZ,
  targetServiceLevel,
} from '../../src/policy/index.ts';
import { normalLoss } from '../../src/stats/index.ts';

describe('service levels', () => {
  it('z from cycle service level, with explanation', () => {
    const z = serviceLevelZ(0.95);
    expect(z.value).toBeCloseTo(1.6449, 4);
    expect(z.substituted).toBe('z = Φ⁻¹(0.950) = 1.645');
    expect(() => serviceLevelZ(1)).toThrow(RangeError);
  });

  it('default targets per ABC × VED, configurable', () => {
    expect(targetServiceLevel('A', 'V').value).toBe(0.99);
    expect(targetServiceLevel('C', 'D').value).toBe(0.9);
    expect(targetServiceLevel('C', 'D', { CD: 0.85 })).toMatchObject({
      value: 0.85,
      inputs: { riskClass: 'CD', source: 'override' },
    });
    expect(Object.keys(DEFAULT_SERVICE_LEVELS)).toHaveLength(9);
  });

  it('ABC: A = top 80% of value, B next 15%, C the rest', () => {
    const r = classifyAbc([
      { id: 'x5', value: 40 },
      { id: 'x1', value: 500 },
      { id: 'x3', value: 100 },
      { id: 'x2', value: 300 },
      { id: 'x4', value: 60 },
    ]);
    expect(r.map((i) => `${i.id}:${i.class}`)).toEqual(['x1:A', 'x2:A', 'x3:B', 'x4:B', 'x5:C']);
    expect(r[1]!.cumulativeShare).toBeCloseTo(0.8, 12);
  });

  it('a single dominant item is A', () => {
    expect(
      classifyAbc([
        { id: 'big', value: 990 },
        { id: 'small', value: 10 },
      ]).map((i) => i.class),
    ).toEqual(['A', 'C']);
  });

  it('fill-rate safety factor solves G(k) = (1 − β)·Q / σ', () => {
    const k = fillRateSafetyFactor(0.98, 50, 20);
    expect(normalLoss(k.value)).toBeCloseTo((0.02 * 50) / 20, 8);
  });
});

describe('safety stock, reorder point, order-up-to', () => {
  // z = 1.645, L̄ = 7, σd = 2, d̄ = 2.5, σL = 1: √(7·4 + 6.25·1) = √34.25 = 5.85235
  const ss = safetyStock({ z: 1.645, leadTimeMean: 7, demandSd: 2, demandMean: 2.5, leadTimeSd: 1 });

  it('SS = z·√(L̄·σd² + d̄²·σL²) by hand', () => {
    expect(ss.value).toBeCloseTo(1.645 * Math.sqrt(34.25), 10);
    expect(ss.value).toBeCloseTo(9.6271, 4);
    expect(ss.formula).toBe('SS = z·√(L̄·σd² + d̄²·σL²)');
    expect(ss.substituted).toBe('SS = 1.645·√(7.00·4.00 + 2.50²·1.00) = 1.645·√34.25 = 9.63');
    expect(ss.inputs).toMatchObject({
      z: 1.645,
      leadTimeMean: 7,
      demandSd: 2,
      demandMean: 2.5,
      leadTimeSd: 1,
    });
  });

  it('z from a service level', () => {
    const s = safetyStock({ serviceLevel: 0.95, leadTimeMean: 7, demandSd: 2, demandMean: 2.5 });
    expect(s.value).toBeCloseTo(1.644854 * Math.sqrt(28), 5);
  });

  it('ROP = d̄·L̄ + SS and S = ROP + d̄·R', () => {
    const rop = reorderPoint({ demandMean: 2.5, leadTimeMean: 7, safetyStock: ss.value });
    expect(rop.value).toBeCloseTo(17.5 + 9.6271, 4);
    expect(rop.substituted).toBe('ROP = 2.50·7.00 + 9.63 = 27.13');
    const s = orderUpToLevel({ reorderPoint: rop.value, demandMean: 2.5, reviewPeriodDays: 7 });
    expect(s.value).toBeCloseTo(44.6271, 4);
  });
});

describe('order quantities', () => {
  it('EOQ = √(2DS/H)', () => {
    const q = economicOrderQuantity({ annualDemand: 1200, orderCost: 50, holdingCostPerUnitYear: 2 });
    expect(q.value).toBeCloseTo(Math.sqrt(60000), 10);
    expect(q.substituted).toBe('EOQ = √(2·1200.00·50.00 / 2.00) = 244.95');
  });

  it('rounds up to pack size and MOQ', () => {
    expect(roundOrderQuantity(23, { packSize: 10 }).value).toBe(30);
    expect(roundOrderQuantity(30, { packSize: 10 }).value).toBe(30);
    expect(roundOrderQuantity(23, { packSize: 10, moq: 50 }).value).toBe(50);
    expect(roundOrderQuantity(23, { packSize: 12, moq: 30 })).toMatchObject({
      value: 36,
      inputs: { packs: 3 },
    });
    expect(roundOrderQuantity(0.1 + 0.2, { packSize: 0.3 }).value).toBeCloseTo(0.3, 12);
    expect(roundOrderQuantity(0, { packSize: 10, moq: 50 }).value).toBe(0);
    expect(roundOrderQuantity(-5).value).toBe(0);
  });

  it('order-up-to quantity with packs', () => {
    const q = orderUpToQuantity({ orderUpTo: 44.6, position: 12, packSize: 10 });
    expect(q.value).toBe(40);
    expect(q.substituted).toContain('Q = 44.60 − 12.00 = 32.60');
  });
});
