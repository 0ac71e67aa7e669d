import { finite } from '../stats/descriptive.ts';
import { median, robustScale, rollingMedian } from '../stats/robust.ts';

export interface AnomalyOptions {
  /** Robust z above which a point is flagged. Default 3.5 (Iglewicz–Hoaglin). */
  readonly threshold?: number;
  /** Centred rolling-median window used as the baseline. Default 15 days. */
  readonly window?: number;
  /** Use these fitted values as the baseline instead of a rolling median (e.g. a model's fit). */
  readonly baseline?: readonly number[];
}

export interface AnomalyResult {
  /** Flagged indices, ascending. */
  readonly indices: number[];
  /** Robust z-score per point (NaN where missing). */
  readonly scores: number[];
  readonly threshold: number;
  /** σ estimate of the residuals used to scale the scores. */
  readonly scale: number;
}

/**
 * Robust residual test: residual r = x − baseline, score = |r − median(r)| / (1.4826·MAD(r)).
 * Median and MAD are not pulled by the very outliers we look for, unlike mean and sd. Where
 * more than half the residuals are equal (intermittent series) MAD is 0 and robustScale falls
 * back to the mean absolute deviation, so ordinary non-zero days are not all flagged.
 * Flagged points are for review by a person, not silently deleted.
 */
export function detectAnomalies(series: readonly number[], options: AnomalyOptions = {}): AnomalyResult {
  const threshold = options.threshold ?? 3.5;
  const base = options.baseline ?? rollingMedian(series, options.window ?? 15);
  const resid = series.map((x, i) => x - (base[i] ?? Number.NaN));
  const valid = finite(resid);
  const scores = new Array<number>(series.length).fill(Number.NaN);
  if (valid.length < 3) return { indices: [], scores, threshold, scale: Number.NaN };
  const centre = median(valid);
  const scale = robustScale(valid);
  const indices: number[] = [];
  if (!(scale > 0)) return { indices, scores, threshold, scale };
  for (let i = 0; i < resid.length; i++) {
    const r = resid[i]!;
    if (!Number.isFinite(r)) continue;
    const z = Math.abs(r - centre) / scale;
    scores[i] = z;
    if (z > threshold) indices.push(i);
  }
  return { indices, scores, threshold, scale };
}
