import type { Abc, Ved } from '../alerts/alert-types.ts';

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
  /** The model chosen for this series by an earlier backtest, when still fresh enough to reuse. */
  previousModel?: { name: string; score: number | null };
  /** Indices of history days flagged as anomalies and not (yet) accepted: kept out of fitting. */
  excludedDays?: number[];
  /** Planned demand from scheduled procedures for the coming days, day 0 = today. */
  planned: number[];
  onHand: number;
  inTransit: number;
  lots: Array<{ lotNumber: string; expiryDate: string | null; onHand: number }>;
  leadTimes: { observedDays: number[]; nominalDays: number };
  supplier: { id: string; name: string; packSize: number; moqPacks: number; packPrice: number } | null;
  parMax: number | null;
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

/** The forecast the policy needs; produced by the model chosen per series. */
export interface DemandForecast {
  model: string;
  demandClass: string;
  score: number | null;
  /** Forecast daily demand for the next days, day 0 = today. */
  daily: number[];
  /** One-step residual standard deviation, per day. */
  residualSd: number;
  /** True when the model was (re)chosen by backtest in this computation, false when refitted. */
  selected: boolean;
}

export type Forecaster = (
  history: number[],
  options: {
    horizon: number;
    censored?: boolean[];
    excluded?: number[];
    previousModel?: { name: string; score: number | null };
  },
) => DemandForecast;

export interface EngineSettings {
  serviceLevel: number;
  reviewPeriodDays: number;
  orderCost: number;
  holdingRatePerYear: number;
  horizonDays: number;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  serviceLevel: 0.95,
  reviewPeriodDays: 7,
  orderCost: 50,
  holdingRatePerYear: 0.25,
  horizonDays: 90,
};
