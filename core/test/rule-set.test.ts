import { describe, expect, it } from 'vitest';
import { completeRuleSet, DEFAULT_RULE_SET } from '../src/index.ts';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('completeRuleSet: a stored rule set is completed with the defaults', () => {
  it('nothing stored (or not an object) is the defaults, as a copy', () => {
    for (const stored of [undefined, null, 'rules', 42, []]) {
      const r = completeRuleSet(stored);
      expect(r).toEqual(DEFAULT_RULE_SET);
      expect(r).not.toBe(DEFAULT_RULE_SET);
      expect(r.serviceLevels).not.toBe(DEFAULT_RULE_SET.serviceLevels);
    }
  });

  it('a rule saved before a key existed gets that key from the defaults; what was saved is kept', () => {
    const old = clone(DEFAULT_RULE_SET) as unknown as Record<string, any>;
    // An organisation that saved its rules before these keys were added:
    delete old.deadStock;
    delete old.stockoutRisk.maxProbability.D;
    delete old.expiryRisk.minValue;
    old.expiryRisk.horizonDays = 45;
    old.stockoutRisk.maxProbability.V = 0.5;
    old.serviceLevels = { AV: 0.99 };
    const r = completeRuleSet(old, 7);
    expect(r.version).toBe(7);
    expect(r.deadStock).toEqual(DEFAULT_RULE_SET.deadStock);
    expect(r.expiryRisk).toEqual({ ...DEFAULT_RULE_SET.expiryRisk, horizonDays: 45 });
    expect(r.stockoutRisk.maxProbability).toEqual({
      ...DEFAULT_RULE_SET.stockoutRisk.maxProbability,
      V: 0.5,
    });
    expect(r.serviceLevels).toEqual({ ...DEFAULT_RULE_SET.serviceLevels, AV: 0.99 });
  });

  it('values of the wrong kind fall back to the default; unknown keys are dropped', () => {
    const r = completeRuleSet({
      stockedOut: { enabled: 'yes' },
      overstock: { enabled: false, factorOverOrderUpTo: null, minDaysCover: Number.NaN },
      latePurchaseOrder: 3,
      futureRule: { enabled: true },
      expired: { enabled: false, note: 'x' },
    }) as unknown as Record<string, any>;
    expect(r.stockedOut).toEqual({ enabled: true });
    expect(r.overstock).toEqual({ ...DEFAULT_RULE_SET.overstock, enabled: false });
    expect(r.latePurchaseOrder).toEqual(DEFAULT_RULE_SET.latePurchaseOrder);
    expect(r.expired).toEqual({ enabled: false });
    expect('futureRule' in r).toBe(false);
    expect(Object.keys(r).sort()).toEqual(Object.keys(DEFAULT_RULE_SET).sort());
  });

  it('keeps the stored version unless the row’s version is given', () => {
    const r = completeRuleSet({ version: 3, stockedOut: { enabled: false } });
    expect(r.version).toBe(3);
    expect(r.stockedOut.enabled).toBe(false);
    for (const key of Object.keys(DEFAULT_RULE_SET) as Array<keyof typeof DEFAULT_RULE_SET>) {
      expect(r[key], key).toBeDefined();
    }
  });
});
