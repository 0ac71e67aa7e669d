import { mean, standardDeviation } from '../stats/index.ts';
import type { DemandForecast, Forecaster } from './engine-input.ts';

/**
 * Interim forecaster used until the model-selection module (core/src/forecast) is wired in:
 * Syntetos–Boylan classification, SES (α = 0.1) for smooth/erratic series and SBA for
 * intermittent/lumpy ones. Censored and excluded days are dropped from fitting.
 */
export const basicForecaster: Forecaster = (history, { horizon, censored, excluded }) => {
  const skip = new Set(excluded ?? []);
  const xs = history.filter((_, i) => !censored?.[i] && !skip.has(i));
  if (xs.length === 0) return { model: 'none', demandClass: 'none', score: null, daily: Array(horizon).fill(0), residualSd: 0 };
  const nonZero: number[] = [];
  const intervals: number[] = [];
  let gap = 0;
  for (const x of xs) {
    gap++;
    if (x > 0) {
      nonZero.push(x);
      intervals.push(gap);
      gap = 0;
    }
  }
  const adi = intervals.length ? mean(intervals) : Number.POSITIVE_INFINITY;
  const cv2 = nonZero.length > 1 ? (standardDeviation(nonZero) / mean(nonZero)) ** 2 : 0;
  const demandClass = adi <= 1.32 ? (cv2 <= 0.49 ? 'smooth' : 'erratic') : cv2 <= 0.49 ? 'intermittent' : 'lumpy';
  const alpha = 0.1;
  let level = mean(xs.slice(0, Math.min(7, xs.length)));
  let model = 'ses';
  const errors: number[] = [];
  if (demandClass === 'smooth' || demandClass === 'erratic') {
    for (const x of xs) {
      errors.push(x - level);
      level += alpha * (x - level);
    }
  } else {
    model = 'sba';
    let z = nonZero[0] ?? 0;
    let p = intervals[0] ?? 1;
    let q = 1;
    for (const x of xs) {
      errors.push(x - (1 - alpha / 2) * (z / p));
      if (x > 0) {
        z += alpha * (x - z);
        p += alpha * (q - p);
        q = 1;
      } else q++;
    }
    level = (1 - alpha / 2) * (z / p);
  }
  const residualSd = errors.length > 1 ? standardDeviation(errors) : 0;
  const f: DemandForecast = { model, demandClass, score: null, daily: Array(horizon).fill(Math.max(0, level)), residualSd };
  return f;
};
