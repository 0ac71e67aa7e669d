import { normalInv, normalLoss } from '../stats/normal.ts';
import { type Explained, fmt } from './explain.ts';

export const ABC_CLASSES = ['A', 'B', 'C'] as const;
export type AbcClass = (typeof ABC_CLASSES)[number];
/** VED: vital (no substitute, patient harm if missing), essential, desirable. */
export const VED_CLASSES = ['V', 'E', 'D'] as const;
export type VedClass = (typeof VED_CLASSES)[number];
export type RiskClass = `${AbcClass}${VedClass}`;
/** Every risk class, VED-major (AV, BV, CV, AE, …): the keys of the service-level table. */
export const RISK_CLASSES: readonly RiskClass[] = VED_CLASSES.flatMap((v) =>
  ABC_CLASSES.map((a): RiskClass => `${a}${v}`),
);

/**
 * Default target cycle service levels per risk class. Criticality (VED) dominates: a vital item
 * is held at 99% whatever its value, because a missing one harms a patient. Within E and D, high-
 * value A items get a slightly lower target than cheap C items — their holding cost is what
 * inventory budgets are made of, while an extra buffer of cheap items costs almost nothing.
 * Override per organisation with the `overrides` argument of targetServiceLevel.
 */
export const DEFAULT_SERVICE_LEVELS: Readonly<Record<RiskClass, number>> = {
  AV: 0.99,
  BV: 0.99,
  CV: 0.99,
  AE: 0.95,
  BE: 0.96,
  CE: 0.97,
  AD: 0.9,
  BD: 0.9,
  CD: 0.9,
};

export function targetServiceLevel(
  abc: AbcClass,
  ved: VedClass,
  overrides: Partial<Record<RiskClass, number>> = {},
): Explained<{ riskClass: RiskClass; source: 'override' | 'default' }> {
  const riskClass = `${abc}${ved}` as RiskClass;
  const o = overrides[riskClass];
  const value = o ?? DEFAULT_SERVICE_LEVELS[riskClass];
  const source = o !== undefined ? 'override' : 'default';
  return {
    value,
    formula: 'CSL = target[ABC × VED]',
    substituted: `CSL = target[${riskClass}] = ${fmt(value, 3)} (${source})`,
    inputs: { riskClass, source },
  };
}

/** z such that Φ(z) = CSL: the number of σ of lead-time demand held as safety stock. */
export function serviceLevelZ(cycleServiceLevel: number): Explained<{ cycleServiceLevel: number }> {
  if (!(cycleServiceLevel > 0 && cycleServiceLevel < 1)) {
    throw new RangeError(`cycle service level must be in (0, 1), got ${cycleServiceLevel}`);
  }
  const value = normalInv(cycleServiceLevel);
  return {
    value,
    formula: 'z = Φ⁻¹(CSL)',
    substituted: `z = Φ⁻¹(${fmt(cycleServiceLevel, 3)}) = ${fmt(value, 3)}`,
    inputs: { cycleServiceLevel },
  };
}

/**
 * Safety factor k for a fill-rate (β) target in a periodic-review system: expected shortage per
 * cycle σ_L·G(k) may be (1 − β) of the demand per cycle Q, so G(k) = (1 − β)·Q / σ_L, solved by
 * bisection (G is decreasing). Fill rate, not cycle service, is what "we met 98% of requests" means.
 */
export function fillRateSafetyFactor(
  fillRate: number,
  demandPerCycle: number,
  sigmaLeadTimeDemand: number,
): Explained<{ fillRate: number; demandPerCycle: number; sigmaLeadTimeDemand: number; targetLoss: number }> {
  const target = sigmaLeadTimeDemand > 0 ? ((1 - fillRate) * demandPerCycle) / sigmaLeadTimeDemand : 0;
  let lo = -5;
  let hi = 8;
  if (!(target > 0)) lo = hi;
  else if (normalLoss(lo) <= target) hi = lo;
  else {
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (normalLoss(mid) > target) lo = mid;
      else hi = mid;
    }
  }
  const value = hi;
  return {
    value,
    formula: 'G(k) = (1 − β)·Q / σ_L',
    substituted: `G(k) = (1 − ${fmt(fillRate, 3)})·${fmt(demandPerCycle)} / ${fmt(sigmaLeadTimeDemand)} = ${fmt(target, 4)} → k = ${fmt(value, 3)}`,
    inputs: { fillRate, demandPerCycle, sigmaLeadTimeDemand, targetLoss: target },
  };
}

export interface AbcItem {
  readonly id: string;
  /** Consumption value over the period (quantity × unit cost). */
  readonly value: number;
}

export interface AbcResult {
  readonly id: string;
  readonly class: AbcClass;
  readonly value: number;
  /** Share of total value of this item. */
  readonly share: number;
  /** Cumulative share up to and including this item, in descending value order. */
  readonly cumulativeShare: number;
}

/**
 * ABC by consumption value: sorted by value descending, items whose cumulative share *before*
 * them is below `a` (default 80%) are A, below `a + b` (default 95%) B, the rest C. Using the share
 * before the item means the item that crosses 80% is still A, so one dominant item is always A.
 */
export function classifyAbc(
  items: readonly AbcItem[],
  thresholds: { a?: number; b?: number } = {},
): AbcResult[] {
  const a = thresholds.a ?? 0.8;
  const ab = a + (thresholds.b ?? 0.15);
  const total = items.reduce((s, i) => s + Math.max(0, i.value), 0);
  const sorted = [...items].sort((x, y) => y.value - x.value || x.id.localeCompare(y.id));
  let cum = 0;
  return sorted.map((item) => {
    const share = total > 0 ? Math.max(0, item.value) / total : 0;
    const before = cum;
    cum += share;
    const cls: AbcClass =
      total > 0 && before < a - 1e-12 ? 'A' : total > 0 && before < ab - 1e-12 ? 'B' : 'C';
    return { id: item.id, class: cls, value: item.value, share, cumulativeShare: cum };
  });
}
