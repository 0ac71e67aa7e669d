import { backtest } from './backtest.ts';
import { classifyDemand, type DemandClassification } from './classify.ts';
import { combine } from './combine.ts';
import { defaultPool, fallbackModel } from './default-pool.ts';
import { type MetricName, scoreForecast } from './metrics.ts';
import { prepareHistory } from './prepare.ts';
import type { DemandClass, FitOptions, FittedModel, Model } from './types.ts';

export interface SelectOptions {
  /** Forecast horizon the choice is optimised for (days). Default 28. */
  readonly horizon?: number;
  /** Rolling origins in the inner backtest. Default 6 (half a year at 28-day steps). */
  readonly origins?: number;
  readonly step?: number;
  readonly metric?: MetricName;
  /** Candidate models, or a function of the demand class; default `defaultPool`. */
  readonly pool?: readonly Model[] | ((cls: DemandClassification, horizon: number) => Model[]);
  /**
   * Also score the equal-weight mean of the best k candidates (same origins, no refit) and use it
   * when it beats the best single model. 0/1 = off. Default 2.
   */
  readonly combineTop?: number;
  readonly fitOptions?: FitOptions;
}

export interface ModelScore {
  readonly name: string;
  readonly score: number;
}

export interface Selection {
  readonly modelName: string;
  /** Mean backtest score of the chosen model (NaN when the history was too short to backtest). */
  readonly score: number;
  readonly class: DemandClass;
  readonly classification: DemandClassification;
  /** All candidates' scores, best first. */
  readonly scores: ModelScore[];
  readonly model: Model;
  readonly fit: FittedModel;
  forecast(h: number): number[];
  readonly residualSd: number;
}

/**
 * Chooses a model per series by rolling-origin backtest on the series itself, then refits it on
 * the whole history. Short histories (fewer than horizon + 2·horizon days) skip the backtest and
 * use SES or SBA by demand class.
 */
export function selectModel(series: readonly number[], options: SelectOptions = {}): Selection {
  const horizon = options.horizon ?? 28;
  const metric = options.metric ?? 'rmsse';
  const fitOptions = options.fitOptions;
  const classification = classifyDemand(prepareHistory(series, { censored: fitOptions?.censored }));
  const pool =
    typeof options.pool === 'function'
      ? options.pool(classification, horizon)
      : (options.pool ?? defaultPool(classification, horizon));

  const finish = (model: Model, score: number, scores: ModelScore[]): Selection => {
    const fit = model.fit(series, fitOptions);
    return {
      modelName: model.name,
      score,
      class: classification.class,
      classification,
      scores,
      model,
      fit,
      forecast: (h) => fit.forecast(h),
      residualSd: fit.residualSd,
    };
  };

  const bt = backtest(series, pool, {
    horizon,
    origins: options.origins ?? 6,
    step: options.step,
    metric,
    fitOptions,
    keepForecasts: true,
  });
  if (bt.origins.length === 0 || pool.length === 0)
    return finish(fallbackModel(classification), Number.NaN, []);

  const ranked = bt.models
    .map((m, i) => ({ ...m, model: pool[i]! }))
    .filter((m) => Number.isFinite(m.score))
    .sort((a, b) => a.score - b.score);
  if (ranked.length === 0) return finish(fallbackModel(classification), Number.NaN, []);
  const scores: ModelScore[] = ranked.map((m) => ({ name: m.name, score: m.score }));
  let chosen: Model = ranked[0]!.model;
  let best = ranked[0]!.score;

  const k = Math.min(options.combineTop ?? 2, ranked.length);
  if (k >= 2) {
    const top = ranked.slice(0, k);
    const marked = prepareHistory(series, { censored: fitOptions?.censored });
    const comboScores = bt.origins.map((end, o) => {
      const f = Array.from(
        { length: horizon },
        (_, i) => top.reduce((s, m) => s + m.forecasts![o]![i]!, 0) / k,
      );
      return scoreForecast(metric, bt.actuals[o]!, f, marked.slice(0, end));
    });
    const ok = comboScores.filter((s) => Number.isFinite(s));
    const comboScore = ok.reduce((a, b) => a + b, 0) / Math.max(1, ok.length);
    const comboModel = combine(top.map((m) => m.model));
    scores.push({ name: comboModel.name, score: comboScore });
    scores.sort((a, b) => a.score - b.score);
    if (comboScore < best) {
      chosen = comboModel;
      best = comboScore;
    }
  }
  return finish(chosen, best, scores);
}
