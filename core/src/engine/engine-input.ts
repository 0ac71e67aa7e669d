import type { Abc, Ved } from '../alerts/alert-types.ts';
import type { DemandOutlook, DemandPrior, OutlookInput, PreviousChoice } from '../forecast/outlook-types.ts';

/** What the worker loads from the database for one item at one location. */
export interface EngineInput {
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
  /** Daily demand (units issued) for consecutive days ending yesterday, oldest first. */
  history: number[];
  /** The date of history[0]. */
  historyStartDate: string;
  /** End-of-day on-hand from the ledger, aligned with history (null before the first movement). */
  balance: (number | null)[];
  /** Same length as history: true where the location had no stock that day (demand censored). */
  stockoutDays?: boolean[];
  /** Indices of history days flagged as anomalies and not (yet) accepted: kept out of fitting. */
  excludedDays?: number[];
  /** Planned demand from scheduled procedures for the coming days, day 0 = today. */
  planned: number[];
  onHand: number;
  inTransit: number;
  /** Open purchase-order quantities by expected arrival (days from today; null = no date, assume after the lead time). */
  arrivals: Array<{ day: number | null; quantity: number }>;
  lots: Array<{ lotNumber: string; expiryDate: string | null; onHand: number }>;
  leadTimes: { observedDays: number[]; nominalDays: number };
  supplier: { id: string; name: string; packSize: number; moqPacks: number; packPrice: number } | null;
  parMax: number | null;
  /** Par minimum for this item-location (null: none set). */
  parMin: number | null;
  /** Typical monthly usage per site, from the catalogue template or set by the clinic (null: none). */
  typicalMonthlyUsage: number | null;
  /** A level to lean on when the own history is short: pooled across the item's other sites, or the typical usage. Set by assignPriors. */
  prior?: DemandPrior | null;
  /**
   * Warm start for a refit: the model, family (and grain) of this item-location's last full
   * selection, i.e. ComputedPolicy.model / .family / .grain of that run. When the model is still a
   * candidate at the series' current grain, only it and that family are fitted (no rolling-origin
   * selection; ComputedPolicy.reselected = false); otherwise everything is selected afresh.
   */
  previousChoice?: PreviousChoice | null;
  lastIssueDaysAgo: number | null;
  pendingAnomalies: Array<{ date: string; quantity: number; expected: number }>;
  latePurchaseOrders: Array<{
    id: string;
    number: string;
    expectedAt: string;
    daysLate: number;
    supplierName: string;
  }>;
  substitutesInStock: Array<{ code: string; nameZh: string; nameEn: string; onHand: number }>;
  transferSource: { locationId: string; siteName: string; availableBase: number } | null;
}

/** Produces the demand outlook for one series (forecastOutlook in production; tests may pass another). */
export type Outlooker = (input: OutlookInput) => DemandOutlook;

export interface EngineSettings {
  serviceLevel: number;
  /** The second named horizon of the stockout probability, in days (rule set, default 30). */
  riskHorizonDays: number;
  reviewPeriodDays: number;
  orderCost: number;
  holdingRatePerYear: number;
  horizonDays: number;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  serviceLevel: 0.95,
  riskHorizonDays: 30,
  reviewPeriodDays: 7,
  orderCost: 50,
  holdingRatePerYear: 0.25,
  horizonDays: 90,
};
