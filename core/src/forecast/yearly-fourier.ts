import { ols } from '../stats/ols.ts';
import { defineModel } from './define-model.ts';
import { clampNonNegative, observedCount, residualSdOf } from './prepare.ts';
import type { Model } from './types.ts';

export interface YearlyFourierOptions {
  /** Number of sine/cosine pairs; 3 captures a smooth annual wave with one asymmetric peak. */
  readonly harmonics?: number;
  /** Cycle length in periods; 365.25 for daily data. */
  readonly period?: number;
  /** Minimum observed periods before the yearly term is used; default two cycles. */
  readonly minHistory?: number;
  /**
   * 'additive': a fixed-amplitude wave in units/day. 'multiplicative': a wave in percent of the
   * local level (the ratio to a centred one-year moving average), right for items whose seasonal
   * swing grows with volume, e.g. antihistamines in spring.
   */
  readonly mode?: 'additive' | 'multiplicative';
  /** Half-life in periods of exponential down-weighting of old years in the regression. */
  readonly halfLife?: number;
  readonly name?: string;
}

/** Centred moving average with a window of `w` (truncated at the edges), NaN skipped. */
function centredMean(xs: readonly number[], w: number): number[] {
  const half = Math.floor(w / 2);
  const n = xs.length;
  const cs = new Float64Array(n + 1);
  const cn = new Float64Array(n + 1);
  for (let t = 0; t < n; t++) {
    const ok = Number.isFinite(xs[t]!);
    cs[t + 1] = cs[t]! + (ok ? xs[t]! : 0);
    cn[t + 1] = cn[t]! + (ok ? 1 : 0);
  }
  return xs.map((_, t) => {
    const a = Math.max(0, t - half);
    const b = Math.min(n, t + half + 1);
    const c = cn[b]! - cn[a]!;
    return c > 0 ? (cs[b]! - cs[a]!) / c : Number.NaN;
  });
}

/**
 * Yearly seasonality by regression on Fourier terms, Σ a_k sin(2πkt/P) + b_k cos(2πkt/P).
 * Additive: x_t ≈ c + d·t + wave; the wave is subtracted, the base model is fitted to the
 * remainder, and the wave at future t is added back. Multiplicative: x_t / level_t ≈ 1 + wave, with
 * level a centred 365-day mean; the series is divided by the index and the forecast multiplied by it.
 * Fourier terms were chosen over a 365-lag seasonal index because K harmonics need 2K numbers and
 * are stable from two years of data, where a day-by-day index would be mostly noise.
 * With less than `minHistory` observed periods the base model is used unchanged.
 */
export function yearlyFourier(base: Model, options: YearlyFourierOptions = {}): Model {
  const K = options.harmonics ?? 3;
  const P = options.period ?? 365.25;
  const minHistory = options.minHistory ?? Math.ceil(2 * P);
  const mode = options.mode ?? 'additive';
  const name = options.name ?? `${base.name}+yearly${mode === 'multiplicative' ? 'x' : ''}${K}`;
  const terms = (t: number): number[] => {
    const row: number[] = [];
    for (let k = 1; k <= K; k++) {
      const w = (2 * Math.PI * k * t) / P;
      row.push(Math.sin(w), Math.cos(w));
    }
    return row;
  };
  return defineModel(name, (xs) => {
    if (observedCount(xs) < minHistory) {
      const fit = base.fit(xs);
      return { ...fit, name };
    }
    const n = xs.length;
    const level = mode === 'multiplicative' ? centredMean(xs, Math.round(P)) : null;
    const rows: number[][] = [];
    const ys: number[] = [];
    const ws: number[] = [];
    for (let t = 0; t < n; t++) {
      const x = xs[t]!;
      if (!Number.isFinite(x)) continue;
      if (level) {
        if (!(level[t]! > 0)) continue;
        rows.push([1, ...terms(t)]);
        ys.push(x / level[t]!);
      } else {
        rows.push([1, t / n, ...terms(t)]);
        ys.push(x);
      }
      ws.push(options.halfLife ? 0.5 ** ((n - 1 - t) / options.halfLife) : 1);
    }
    const coef = ols(rows, ys, ws);
    if (!coef) return base.fit(xs);
    const skip = level ? 1 : 2;
    const wave = (t: number) => {
      const row = terms(t);
      let s = 0;
      for (let j = 0; j < row.length; j++) s += coef[j + skip]! * row[j]!;
      return s;
    };
    // Multiplicative index floored at 0.1 so a deep trough never divides by ~0.
    const index = (t: number) => Math.max(0.1, 1 + wave(t));
    const adjusted = level ? xs.map((x, t) => x / index(t)) : xs.map((x, t) => x - wave(t));
    const fit = base.fit(adjusted);
    const back = (f: number, t: number) => (level ? f * index(t) : f + wave(t));
    const fitted = fit.fitted.map(back);
    const amplitude: Record<string, number> = {};
    for (let k = 1; k <= K; k++)
      amplitude[`yearlyAmp${k}`] = Math.hypot(coef[skip + 2 * k - 2]!, coef[skip + 2 * k - 1]!);
    return {
      name,
      forecast: (h) => clampNonNegative(fit.forecast(h).map((f, k) => back(f, n + k))),
      residualSd: residualSdOf(xs, fitted),
      fitted,
      params: { ...fit.params, ...amplitude },
    };
  });
}
