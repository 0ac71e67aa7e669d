import { DEFAULT_SERVICE_LEVELS, type RiskClass } from '../policy/service-level.ts';
import type { Ved } from './alert-types.ts';

/**
 * The organisation's alert rules. Editable and versioned (every edit makes a new version, and
 * each alert records the version that fired it). Thresholds are stated on the engine's
 * probabilities and forecasts, so they move with season, scheduled procedures and lead-time
 * changes by construction: a busier theatre week raises forecast demand, which raises the
 * stockout probability the same threshold is compared with.
 */
export interface RuleSet {
  version: number;
  /** Target cycle service level per risk class (ABC by consumption value × VED). */
  serviceLevels: Record<RiskClass, number>;
  /** maxProbability applies to P(stockout before the next possible receipt); horizonDays names the second horizon, P(stockout within N days). */
  stockoutRisk: { enabled: boolean; maxProbability: Record<Ved, number>; horizonDays: number };
  belowSafetyStock: { enabled: boolean };
  /** Position below the par minimum set for the item-location (watched even without any history). */
  belowParMinimum: { enabled: boolean };
  stockedOut: { enabled: boolean };
  expired: { enabled: boolean };
  expiryRisk: { enabled: boolean; horizonDays: number; minValue: number };
  overstock: { enabled: boolean; factorOverOrderUpTo: number; minDaysCover: number };
  deadStock: { enabled: boolean; daysWithoutIssue: number };
  consumptionAnomaly: { enabled: boolean };
  latePurchaseOrder: { enabled: boolean; graceDays: number };
  leadTimeDrift: { enabled: boolean; minRelativeIncrease: number; minDays: number };
}

export const DEFAULT_RULE_SET: RuleSet = {
  version: 1,
  serviceLevels: { ...DEFAULT_SERVICE_LEVELS },
  stockoutRisk: { enabled: true, maxProbability: { V: 0.02, E: 0.05, D: 0.1 }, horizonDays: 30 },
  belowSafetyStock: { enabled: true },
  belowParMinimum: { enabled: true },
  stockedOut: { enabled: true },
  expired: { enabled: true },
  expiryRisk: { enabled: true, horizonDays: 90, minValue: 0 },
  overstock: { enabled: true, factorOverOrderUpTo: 2, minDaysCover: 120 },
  deadStock: { enabled: true, daysWithoutIssue: 180 },
  consumptionAnomaly: { enabled: true },
  latePurchaseOrder: { enabled: true, graceDays: 1 },
  leadTimeDrift: { enabled: true, minRelativeIncrease: 0.3, minDays: 2 },
};

export function riskClassOf(abc: 'A' | 'B' | 'C' | null | undefined, ved: Ved): RiskClass {
  return `${abc ?? 'B'}${ved}` as RiskClass;
}

type Json = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The stored value where it has the default's kind (finite number, boolean, string, array, object), else the default. */
function completeValue(stored: unknown, fallback: unknown): unknown {
  if (Array.isArray(fallback)) return Array.isArray(stored) ? stored : fallback;
  if (isPlainObject(fallback)) {
    const src = isPlainObject(stored) ? stored : {};
    const out: Json = {};
    for (const [key, value] of Object.entries(fallback)) out[key] = completeValue(src[key], value);
    return out;
  }
  if (typeof fallback === 'number')
    return typeof stored === 'number' && Number.isFinite(stored) ? stored : fallback;
  return typeof stored === typeof fallback ? stored : fallback;
}

/**
 * A stored rule set made complete: every rule and setting the stored JSON lacks (keys added by a
 * later release, or a value of the wrong kind) comes from DEFAULT_RULE_SET; everything stored is
 * kept. Objects merge key by key at every depth; arrays are taken whole, never merged. Keys the
 * defaults do not know (written by a newer release, or by hand) are dropped, so the engine and
 * the API only ever see the RuleSet shape. `version` is the stored row's version when given.
 * Used by the API (rules GET/PUT) and the engine alike: one definition of what old rules mean.
 */
export function completeRuleSet(stored: unknown, version?: number): RuleSet {
  const rules = completeValue(stored, DEFAULT_RULE_SET) as RuleSet;
  if (version !== undefined) rules.version = version;
  return rules;
}
