/**
 * The demand outlook: what the forecaster tells the policy, the stockout risk and the backtest.
 * It is the predictive distribution of demand at the series' own grain, usable for any window of
 * days ahead of the as-of date (day 0 = the as-of day itself, in the organisation's local days).
 */
export type DemandGrain = 'daily' | 'weekly' | 'monthly' | 'irregular';

/** Distribution of total demand over a window of days. */
export interface DemandTotal {
  readonly mean: number;
  readonly sd: number;
  /** P(D ≤ x). */
  cdf(x: number): number;
  /** Smallest x with P(D ≤ x) ≥ p, never negative. */
  quantile(p: number): number;
  /** e.g. 'NegBin(mean 12.0, var 30.5)'. */
  readonly label: string;
}

export const OUTLOOK_QUANTILES = [0.5, 0.8, 0.9, 0.95, 0.99] as const;

export interface OutlookPeriod {
  /** First and last local day of the period (ISO dates, inclusive). */
  readonly start: string;
  readonly end: string;
  readonly mean: number;
  /** Quantiles of the period's demand at OUTLOOK_QUANTILES, same order. */
  readonly quantiles: readonly number[];
}

export interface DemandOutlook {
  readonly grain: DemandGrain;
  /** Point model chosen (at this as-of date, by rolling origin on the past only). */
  readonly model: string;
  /** Distribution family chosen by pinball loss (e.g. 'poisson', 'negative-binomial', 'normal', 'empirical'). */
  readonly family: string;
  readonly demandClass: string;
  /** Backtest score of the chosen model (lower is better), null when too short to backtest. */
  readonly score: number | null;
  /** Expected demand per day for the next `daily.length` days, day 0 = as-of day. */
  readonly daily: readonly number[];
  /** Distribution of total demand over days [fromDay, toDay) ahead (fractional days allowed). */
  total(fromDay: number, toDay: number): DemandTotal;
  /** Native-grain periods covering the requested horizon, with quantiles. */
  readonly periods: readonly OutlookPeriod[];
  /** Where the level came from when the series' own history is short: null, 'pooled' or 'template'. */
  readonly prior: 'pooled' | 'template' | null;
  /** One sentence each language: how the forecast was made (grain, model, family, prior). */
  readonly explanation: { readonly zh: string; readonly en: string };
  /**
   * Days before the as-of date since the last posted period (e.g. the 14 days of a month whose
   * report is not in yet): consumed but not yet in the ledger. total(−unreportedDays, d) includes
   * them. 0 at daily grain. Optional so hand-built outlooks (tests, stand-ins) need not set it.
   */
  readonly unreportedDays?: number;
  /** Why the grain was chosen (e.g. '46 of 46 records on the last day of a month: monthly reports'). */
  readonly grainReason?: string;
  /**
   * True when model and family were chosen by rolling-origin selection in this call, false when
   * a previous choice (OutlookInput.reuse) was refitted without selection. Optional so hand-built
   * outlooks need not set it (absent counts as selected).
   */
  readonly reselected?: boolean;
}

/** A level to lean on when a series has little or no history of its own. */
export interface DemandPrior {
  readonly dailyRate: number;
  /** Equivalent days of evidence the prior is worth (shrinks as the series' own history grows). */
  readonly weightDays: number;
  readonly source: 'pooled' | 'template';
}

export interface OutlookInput {
  /** Daily demand in base units, consecutive local days, oldest first, ending the day before asOf. */
  readonly history: readonly number[];
  /** Local date of history[0]. */
  readonly startDate: string;
  /** Same length as history: true where the location had no stock (demand censored). */
  readonly censored?: readonly boolean[];
  /** Indices of history to treat as missing (anomalies awaiting review). */
  readonly excluded?: readonly number[];
  readonly prior?: DemandPrior | null;
  /** Days ahead the outlook must cover (daily.length). */
  readonly horizonDays: number;
  /**
   * Warm start: the model and family of an earlier fit of this series. When its model is still a
   * candidate of the pool for the series' current grain (and the grain, if given, is unchanged),
   * only that model and family are fitted — no rolling-origin selection — and the outlook says
   * `reselected: false`; otherwise everything is selected afresh. Null/absent: select.
   */
  readonly reuse?: PreviousChoice | null;
}

/** A stored choice of forecastOutlook, from DemandOutlook's model, family and grain. */
export interface PreviousChoice {
  readonly model: string;
  readonly family: string;
  /** The grain the choice was made at; a different grain now always reselects. */
  readonly grain?: string | null;
}
