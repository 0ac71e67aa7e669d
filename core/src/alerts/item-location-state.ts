import type { Abc, Ved } from './alert-types.ts';

/** A number the engine computed, with the formula and its numbers filled in, for explanations. */
export interface ExplainedValue {
  value: number;
  formula: string;
  substituted: string;
}

/** A probability with its formula; null value = unknown. `calibrated`: mapped through the organisation's own backtest. */
export interface ProbabilityValue {
  value: number | null;
  formula: string;
  substituted: string;
  calibrated: boolean;
}

/**
 * Everything the alert rules look at for one item at one location, already computed by the
 * engine (forecast, policy, lots, purchase orders). The rules themselves do no statistics.
 */
export interface ItemLocationState {
  today: string;
  item: {
    id: string;
    code: string;
    nameZh: string;
    nameEn: string;
    ved: Ved;
    abc: Abc | null;
    unitCost: number;
    baseUnit: string;
    /** The item's own words for its base unit (支, 只; piece): alert texts name the unit in them. */
    baseUnitZh?: string;
    baseUnitEn?: string;
  };
  location: { id: string; name: string; siteName: string };
  onHand: number;
  inTransit: number;
  position: number;
  demand: { dailyMean: number; dailySd: number; model: string; demandClass: string };
  leadTime: { meanDays: number; sdDays: number; source: 'history' | 'nominal'; observations: number };
  serviceLevel: number;
  safetyStock: ExplainedValue;
  reorderPoint: ExplainedValue;
  orderUpTo: number;
  /**
   * P(stockout before the next possible receipt): an order placed today arrives after the lead
   * time. 1 when the item is already out; null when it cannot be computed (no demand evidence at
   * all: no history, no par level, no typical usage) — never 0 for "unknown".
   */
  stockoutProbability: ProbabilityValue & { distribution: string };
  /** P(stockout within the organisation's horizon, default 30 days), arrivals counted at their expected dates. */
  stockoutWithinHorizon: ProbabilityValue & { horizonDays: number };
  daysCover: { value: number; low: number; high: number };
  order: {
    quantityBase: number;
    packs: number;
    packSize: number;
    supplierId: string | null;
    supplierName: string | null;
  } | null;
  expiryRisk: Array<{
    lotNumber: string;
    expiryDate: string;
    onHand: number;
    atRiskQty: number;
    atRiskValue: number;
  }>;
  expiredLots: Array<{ lotNumber: string; expiryDate: string; onHand: number }>;
  lastIssueDaysAgo: number | null;
  parMax: number | null;
  /** The par minimum set for this item-location (0 or null: none). */
  parMin: number | null;
  pendingAnomalies: Array<{ date: string; quantity: number; expected: number }>;
  latePurchaseOrders: Array<{
    id: string;
    number: string;
    expectedAt: string;
    daysLate: number;
    supplierName: string;
  }>;
  /** Core's leadTimeDrift (policy/lead-time-drift.ts) when defined; driftDays = recent − history. */
  leadTimeDrift: {
    recentMeanDays: number;
    historyMeanDays: number;
    recentN: number;
    driftDays: number;
  } | null;
  substitutesInStock: Array<{ code: string; nameZh: string; nameEn: string; onHand: number }>;
  transferSource: { locationId: string; siteName: string; availableBase: number } | null;
}
