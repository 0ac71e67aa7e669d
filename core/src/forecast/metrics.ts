/**
 * Scaled error metrics (Hyndman & Koehler 2006; M5). Errors are divided by the in-sample error of
 * the one-step naive forecast so scores are comparable across items of any volume; 1.0 = as bad
 * as "tomorrow = today" in-sample. NaN in actuals (censored days) are skipped.
 */

/** Mean absolute (lag-m) naive error of the in-sample history. */
export function naiveMae(insample: readonly number[], lag = 1): number {
  let s = 0;
  let n = 0;
  for (let t = lag; t < insample.length; t++) {
    const d = insample[t]! - insample[t - lag]!;
    if (Number.isFinite(d)) {
      s += Math.abs(d);
      n++;
    }
  }
  return n > 0 ? s / n : Number.NaN;
}

/** Root mean squared (lag-m) naive error of the in-sample history. */
export function naiveRmse(insample: readonly number[], lag = 1): number {
  let s = 0;
  let n = 0;
  for (let t = lag; t < insample.length; t++) {
    const d = insample[t]! - insample[t - lag]!;
    if (Number.isFinite(d)) {
      s += d * d;
      n++;
    }
  }
  return n > 0 ? Math.sqrt(s / n) : Number.NaN;
}

function pairs(actual: readonly number[], forecast: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < Math.min(actual.length, forecast.length); i++) {
    if (Number.isFinite(actual[i]!) && Number.isFinite(forecast[i]!)) out.push([actual[i]!, forecast[i]!]);
  }
  return out;
}

function scaled(err: number, scale: number): number {
  if (scale > 0) return err / scale;
  // Constant history: any error is infinitely worse than naive, a perfect forecast scores 0.
  return err === 0 ? 0 : Number.POSITIVE_INFINITY;
}

/** MASE = mean|a − f| / mean|x_t − x_{t−m}|. */
export function mase(
  actual: readonly number[],
  forecast: readonly number[],
  insample: readonly number[],
  lag = 1,
): number {
  const p = pairs(actual, forecast);
  if (p.length === 0) return Number.NaN;
  const mae = p.reduce((s, [a, f]) => s + Math.abs(a - f), 0) / p.length;
  return scaled(mae, naiveMae(insample, lag));
}

/** RMSSE = √(mean (a − f)² / mean (x_t − x_{t−m})²). */
export function rmsse(
  actual: readonly number[],
  forecast: readonly number[],
  insample: readonly number[],
  lag = 1,
): number {
  const p = pairs(actual, forecast);
  if (p.length === 0) return Number.NaN;
  const mse = p.reduce((s, [a, f]) => s + (a - f) * (a - f), 0) / p.length;
  return scaled(Math.sqrt(mse), naiveRmse(insample, lag));
}

export type MetricName = 'rmsse' | 'mase';

export function scoreForecast(
  metric: MetricName,
  actual: readonly number[],
  forecast: readonly number[],
  insample: readonly number[],
): number {
  return metric === 'mase' ? mase(actual, forecast, insample) : rmsse(actual, forecast, insample);
}
