import type { AnomalyOptions } from './anomaly.ts';

/**
 * Common model interface. Histories are daily (or per-bucket) demand in base units, oldest first.
 * Inside a model, NaN marks a day that must not be learnt from (censored stockout day, excluded
 * anomaly): recursions replace it with their own one-step forecast, so a stockout does not drag
 * the level towards zero and an outlier does not lift it.
 */
export interface FitOptions {
  /** true = the day had zero stock, so observed demand is censored; treated as missing. */
  readonly censored?: readonly boolean[];
  /** Flag points with the robust residual test and treat them as missing (true = defaults). */
  readonly excludeAnomalies?: boolean | AnomalyOptions;
  /** Explicit indices to treat as missing (e.g. anomalies a person confirmed). */
  readonly exclude?: readonly number[];
}

export interface FittedModel {
  readonly name: string;
  /** Point forecasts for the next h periods (non-negative). */
  forecast(h: number): number[];
  /** Standard deviation of one-step in-sample errors, in units per period. */
  readonly residualSd: number;
  /** One-step-ahead fitted values aligned with the history (NaN where none exists). */
  readonly fitted: readonly number[];
  /** Smoothing parameters actually used, for explanations and tests. */
  readonly params: Readonly<Record<string, number>>;
}

export interface Model {
  readonly name: string;
  fit(history: readonly number[], options?: FitOptions): FittedModel;
}

export type DemandClass = 'smooth' | 'erratic' | 'intermittent' | 'lumpy';
