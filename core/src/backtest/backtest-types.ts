/**
 * The backtest's contract: one row per item-location and as-of date, and the summary that scores
 * the engine beside two baselines on the same rows. Shared by core (computation), the worker
 * (storage), the API (responses) and the web (the backtest page).
 */
import type { DemandPrior } from '../forecast/outlook-types.ts';

export type BacktestStep = 'daily' | 'weekly' | 'monthly';

/** What happened after the as-of date. Only 'new_stockout' and 'none' rows are scored for alerts. */
export type BacktestOutcome = 'new_stockout' | 'already_out' | 'none' | 'unknown';

export interface BacktestParameters {
  readonly from: string;
  readonly to: string;
  readonly step: BacktestStep;
  /** Horizon of the "within N days" probability and the outcome window, in days. */
  readonly horizonDays: number;
  /** 'recorded': the lead time known at each as-of date (observations before it, else the terms then); or a fixed number of days. */
  readonly leadTime: { readonly mode: 'recorded' } | { readonly mode: 'fixed'; readonly days: number };
}

export interface BacktestForecastPeriod {
  readonly start: string;
  readonly end: string;
  readonly mean: number;
  /** At OUTLOOK_QUANTILES (0.5, 0.8, 0.9, 0.95, 0.99). */
  readonly quantiles: readonly number[];
  /** Demand that actually happened in the period (null when not yet known). */
  readonly actual: number | null;
}

export interface BacktestRow {
  /** Item, site and location codes of the series (copied from BacktestSeriesInput; additive, optional). */
  readonly itemCode?: string;
  readonly siteCode?: string;
  readonly locationCode?: string;
  readonly asOf: string;
  /** On-hand at the end of the day before asOf, from the ledger (null: unknown). */
  readonly position: number | null;
  readonly leadTimeDays: number;
  readonly model: string;
  readonly family: string;
  readonly grain: string;
  readonly forecast: readonly BacktestForecastPeriod[];
  /** P(stockout before the next possible receipt) and P(stockout within horizonDays); null when unknown. */
  readonly pBeforeReceipt: number | null;
  readonly pWithinHorizon: number | null;
  /**
   * The model's own P(within horizon) before recalibration; set (with `calibrated`) by
   * recalibrateOnline when a calibration map learnt from earlier outcomes was in force at this as-of date.
   */
  readonly pWithinHorizonRaw?: number | null;
  readonly calibrated?: boolean;
  readonly alertRaised: boolean;
  readonly outcome: BacktestOutcome;
  /** Baseline: position ÷ average monthly consumption (last 3 months) — lower is more alarming; null when no consumption. */
  readonly monthsOfStock: number | null;
  /** Scaled errors of the engine's forecast and of the naive / 3-period-mean baselines over the horizon. */
  readonly errors: {
    readonly engine: ForecastErrors;
    readonly naive: ForecastErrors;
    readonly mean3: ForecastErrors;
  };
}

export interface ForecastErrors {
  readonly mase: number | null;
  readonly rmsse: number | null;
  /** Pinball loss averaged over the quantiles, scaled like MASE (naive: from a Poisson at its mean). */
  readonly pinball: number | null;
}

export interface CalibrationBin {
  readonly from: number;
  readonly to: number;
  readonly rows: number;
  /** null when the bin has no rows. */
  readonly meanPredicted: number | null;
  readonly observedRate: number | null;
}

export interface AlertScores {
  /** Rows scored: stock > 0 at the as-of date and the outcome known. */
  readonly rows: number;
  readonly newStockouts: number;
  readonly averagePrecision: number | null;
  readonly recallAtPrecision25: number | null;
  readonly recallAtPrecision35: number | null;
}

export interface BacktestSummary {
  readonly parameters: BacktestParameters;
  readonly itemLocations: number;
  readonly rows: number;
  readonly outcomes: Readonly<Record<BacktestOutcome, number>>;
  readonly baseRate: number | null;
  /** Ranking of new stock-outs: the engine's P(within horizon), the months-of-stock rule on the same rows. */
  readonly alerts: { readonly engine: AlertScores; readonly monthsOfStock: AlertScores };
  /** Of the engine's alerts raised on scored rows, the share that stocked out, and the share of stock-outs alerted. */
  readonly alertPrecision: number | null;
  readonly alertRecall: number | null;
  readonly brier: { readonly engine: number | null; readonly baseRate: number | null };
  readonly calibration: readonly CalibrationBin[];
  readonly forecast: {
    readonly engine: ForecastErrors;
    readonly naive: ForecastErrors;
    readonly mean3: ForecastErrors;
  };
  /** Plain-language verdict in both languages (e.g. whether the engine beat the months-of-stock rule). */
  readonly verdict: { readonly zh: string; readonly en: string };
}

/** Lead-time terms in force from a date (the supplier's quoted lead time then). */
export interface LeadTimeTerms {
  readonly from: string;
  readonly nominalDays: number;
  readonly nominalSdDays?: number;
}

/** An observed lead time: known from its receipt date on. */
export interface LeadTimeRecord {
  readonly orderDate: string;
  readonly receiptDate: string;
  readonly days: number;
}

/** A purchase order: in transit at an as-of date when ordered before it and not yet received. */
export interface BacktestOrder {
  readonly orderDate: string;
  readonly qty: number;
  /** Expected arrival (from the terms at ordering); default orderDate + lead time known at the as-of. */
  readonly expectedDate?: string;
  /** null: never received (still open at the end of the data). */
  readonly receivedDate: string | null;
}

/** Everything the backtest needs about one item-location; every array is aligned with `startDate`. */
export interface BacktestSeriesInput {
  readonly itemCode?: string;
  readonly siteCode?: string;
  readonly locationCode?: string;
  /** Local date of day 0. */
  readonly startDate: string;
  /** Demand (issues) per local day, oldest first; null = unknown (e.g. a missing report). */
  readonly demand: readonly (number | null)[];
  /** The ledger's end-of-day on-hand; null = unknown. */
  readonly balance: readonly (number | null)[];
  /** Days on which the location had no stock (a stock-out day recorded). */
  readonly stockoutDays?: readonly boolean[];
  readonly leadTimes?: readonly LeadTimeRecord[];
  readonly terms?: readonly LeadTimeTerms[];
  readonly orders?: readonly BacktestOrder[];
  readonly prior?: DemandPrior | null;
  /** The prior in force at an as-of date (pooled from other sites' history before it), overriding `prior`. */
  readonly priorAt?: (asOf: string) => DemandPrior | null;
  /** The rule set's alert threshold on P(stockout before the next receipt); default 0.2. */
  readonly alertProbability?: number;
}
