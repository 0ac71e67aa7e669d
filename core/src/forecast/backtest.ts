import { type MetricName, scoreForecast } from './metrics.ts';
import { prepareHistory } from './prepare.ts';
import type { FitOptions, Model } from './types.ts';

export interface BacktestOptions {
  readonly horizon: number;
  /** Number of forecast origins; the last test window ends on the last day of the series. */
  readonly origins: number;
  /** Days between consecutive origins; default = horizon (non-overlapping test windows). */
  readonly step?: number;
  readonly metric?: MetricName;
  /** Shortest training history an origin may have; earlier origins are dropped. Default 2·horizon. */
  readonly minTrain?: number;
  /** Passed to every fit, sliced to the training window (censored days also leave the scoring). */
  readonly fitOptions?: FitOptions;
  /** Keep each origin's forecasts (needed to score combinations without refitting). */
  readonly keepForecasts?: boolean;
}

export interface BacktestModelResult {
  readonly name: string;
  /** Mean score over origins (NaN-free origins only). Lower is better. */
  readonly score: number;
  readonly scores: number[];
  readonly forecasts?: number[][];
}

export interface BacktestResult {
  /** Training-window lengths (= index of the first forecast day) per origin. */
  readonly origins: number[];
  readonly models: BacktestModelResult[];
  /** Actuals per origin (NaN where censored), aligned with forecasts. */
  readonly actuals: number[][];
}

/** Training-window ends for a rolling-origin evaluation, oldest first. */
export function originPoints(
  n: number,
  horizon: number,
  origins: number,
  step: number,
  minTrain: number,
): number[] {
  const out: number[] = [];
  for (let i = origins - 1; i >= 0; i--) {
    const end = n - horizon - i * step;
    if (end >= minTrain) out.push(end);
  }
  return out;
}

/**
 * Rolling-origin backtest: for each origin, fit on everything before it, forecast `horizon` days,
 * score against what happened. Scale of RMSSE/MASE comes from the training part only.
 */
export function backtest(
  series: readonly number[],
  models: readonly Model[],
  options: BacktestOptions,
): BacktestResult {
  const { horizon } = options;
  const step = options.step ?? horizon;
  const metric = options.metric ?? 'rmsse';
  const points = originPoints(series.length, horizon, options.origins, step, options.minTrain ?? 2 * horizon);
  const marked = prepareHistory(series, {
    censored: options.fitOptions?.censored,
    exclude: options.fitOptions?.exclude,
  });
  const actuals = points.map((end) => marked.slice(end, end + horizon));
  const results = models.map((model) => {
    const scores: number[] = [];
    const forecasts: number[][] = [];
    for (let o = 0; o < points.length; o++) {
      const end = points[o]!;
      const train = series.slice(0, end);
      const fo = options.fitOptions;
      const fit = model.fit(
        train,
        fo
          ? { ...fo, censored: fo.censored?.slice(0, end), exclude: fo.exclude?.filter((i) => i < end) }
          : undefined,
      );
      const f = fit.forecast(horizon);
      if (options.keepForecasts) forecasts.push(f);
      scores.push(scoreForecast(metric, actuals[o]!, f, marked.slice(0, end)));
    }
    const ok = scores.filter((s) => Number.isFinite(s));
    const score = ok.length > 0 ? ok.reduce((a, b) => a + b, 0) / ok.length : Number.NaN;
    return options.keepForecasts
      ? { name: model.name, score, scores, forecasts }
      : { name: model.name, score, scores };
  });
  return { origins: points, models: results, actuals };
}

export interface SumErrorOptions {
  readonly origins?: number;
  readonly step?: number;
  readonly fitOptions?: FitOptions;
}

/**
 * Empirical sd of the error of the forecast *sum* over the next `horizon` days, from rolling
 * origins. Lead-time demand uncertainty is about sums; residualSd·√L assumes independent daily
 * errors and understates it whenever the level itself is uncertain (errors share the same level
 * mistake across the lead time). Returns NaN with fewer than 3 usable origins.
 */
export function horizonSumErrorSd(
  series: readonly number[],
  model: Model,
  horizon: number,
  options: SumErrorOptions = {},
): number {
  const errors = horizonSumErrors(series, model, horizon, options);
  if (errors.length < 3) return Number.NaN;
  // Root mean square, not sd around the mean error: a biased forecast is also a risk.
  return Math.sqrt(errors.reduce((acc, e) => acc + e * e, 0) / errors.length);
}

/** The individual errors (actual sum − forecast sum) behind horizonSumErrorSd, oldest origin first. */
export function horizonSumErrors(
  series: readonly number[],
  model: Model,
  horizon: number,
  options: SumErrorOptions = {},
): number[] {
  const origins = options.origins ?? 26;
  const step = options.step ?? 7;
  const points = originPoints(series.length, horizon, origins, step, 2 * Math.max(horizon, 28));
  const marked = prepareHistory(series, { censored: options.fitOptions?.censored });
  const errors: number[] = [];
  for (const end of points) {
    const fo = options.fitOptions;
    const fit = model.fit(
      series.slice(0, end),
      fo ? { ...fo, censored: fo.censored?.slice(0, end) } : undefined,
    );
    const f = fit.forecast(horizon);
    let a = 0;
    let s = 0;
    let ok = true;
    for (let i = 0; i < horizon; i++) {
      const x = marked[end + i]!;
      if (!Number.isFinite(x)) ok = false;
      a += x;
      s += f[i]!;
    }
    if (ok) errors.push(a - s);
  }
  return errors;
}
