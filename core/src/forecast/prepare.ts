import { sum } from '../stats/descriptive.ts';
import { detectAnomalies } from './anomaly.ts';
import type { FitOptions, FittedModel } from './types.ts';

/**
 * Applies FitOptions to a history: censored days, explicit exclusions and (optionally) flagged
 * anomalies become NaN, the models' "missing" marker.
 */
export function prepareHistory(history: readonly number[], options: FitOptions = {}): number[] {
  const xs = history.map((v) => (Number.isFinite(v) ? v : Number.NaN));
  if (options.censored) {
    for (let i = 0; i < xs.length; i++) if (options.censored[i]) xs[i] = Number.NaN;
  }
  if (options.exclude) for (const i of options.exclude) if (i >= 0 && i < xs.length) xs[i] = Number.NaN;
  if (options.excludeAnomalies) {
    const opts = options.excludeAnomalies === true ? {} : options.excludeAnomalies;
    for (const i of detectAnomalies(xs, opts).indices) xs[i] = Number.NaN;
  }
  return xs;
}

/** sd of one-step errors (actual − fitted) over the points where both exist. */
export function residualSdOf(xs: readonly number[], fitted: readonly number[]): number {
  let ss = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const f = fitted[i]!;
    if (Number.isFinite(x) && Number.isFinite(f)) {
      ss += (x - f) * (x - f);
      n++;
    }
  }
  return n > 1 ? Math.sqrt(ss / (n - 1)) : Number.NaN;
}

export function flat(value: number, h: number): number[] {
  return new Array<number>(Math.max(0, h)).fill(Math.max(0, value));
}

export function clampNonNegative(xs: number[]): number[] {
  for (let i = 0; i < xs.length; i++) if (!(xs[i]! > 0)) xs[i] = 0;
  return xs;
}

/** A fitted model for a history with no usable observation: forecast 0, unknown spread. */
export function emptyFit(name: string, n: number): FittedModel {
  return {
    name,
    forecast: (h) => flat(0, h),
    residualSd: Number.NaN,
    fitted: new Array<number>(n).fill(Number.NaN),
    params: {},
  };
}

export function observedCount(xs: readonly number[]): number {
  let n = 0;
  for (const x of xs) if (Number.isFinite(x)) n++;
  return n;
}

export function observedMean(xs: readonly number[], from = 0, to = xs.length): number {
  const vals: number[] = [];
  for (let i = from; i < to; i++) if (Number.isFinite(xs[i]!)) vals.push(xs[i]!);
  return vals.length > 0 ? sum(vals) / vals.length : Number.NaN;
}
