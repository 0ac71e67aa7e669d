import { defineModel } from './define-model.ts';
import { minimiseBox } from './optimise.ts';
import { clampNonNegative, emptyFit, observedCount, observedMean, residualSdOf } from './prepare.ts';
import type { FittedModel, Model } from './types.ts';
import { yearlyFourier } from './yearly-fourier.ts';

export interface HoltWintersOptions {
  /** Season length in periods; 7 = weekly pattern in daily data. */
  readonly period?: number;
  /** Damped additive trend (φ optimised in [0.8, 0.98]); default false: level + season only. */
  readonly trend?: boolean;
  /**
   * Yearly seasonality. 'fourier' removes K sine/cosine pairs of period 365.25 fitted by least
   * squares before smoothing and adds them back to the forecast; applied only when the history
   * has at least two years of observed days (one year cannot separate season from trend).
   */
  readonly yearly?: false | 'fourier';
  readonly yearlyHarmonics?: number;
  /** Fixed parameters (skip optimisation): alpha, beta, gamma, phi in ETS error-correction form. */
  readonly params?: { alpha: number; beta?: number; gamma: number; phi?: number };
  readonly name?: string;
}

interface HwState {
  sse: number;
  level: number;
  trend: number;
  season: Float64Array;
}

/**
 * Additive Holt-Winters in error-correction (ETS A,Ad,A) form:
 *   f = ℓ + φb + s_{t−m};  e = x − f
 *   ℓ ← ℓ + φb + αe;  b ← φb + βe;  s_t ← s_{t−m} + γe
 * Missing days (NaN) advance the state with e = 0. Parameters are searched in the admissible box
 * 0 ≤ β ≤ α, 0 ≤ γ ≤ 1 − α by coordinate descent on the one-step SSE.
 */
function run(
  xs: readonly number[],
  m: number,
  init: { level: number; season: Float64Array },
  alpha: number,
  beta: number,
  gamma: number,
  phi: number,
  fitted?: number[],
): HwState {
  const season = Float64Array.from(init.season);
  let level = init.level;
  let trend = 0;
  let sse = 0;
  for (let t = 0; t < xs.length; t++) {
    const j = t % m;
    const f = level + phi * trend + season[j]!;
    if (fitted) fitted[t] = f;
    const x = xs[t]!;
    if (Number.isNaN(x)) {
      level += phi * trend;
      trend *= phi;
      continue;
    }
    const e = x - f;
    sse += e * e;
    level += phi * trend + alpha * e;
    trend = phi * trend + beta * e;
    season[j] = season[j]! + gamma * e;
  }
  return { sse, level, trend, season };
}

/** Level = mean of the first weeks; seasonal slot = mean deviation of that slot from the level. */
function initialState(xs: readonly number[], m: number): { level: number; season: Float64Array } {
  const cycles = Math.max(1, Math.min(4, Math.floor(xs.length / m)));
  const span = cycles * m;
  const level = observedMean(xs, 0, span);
  const season = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    let n = 0;
    for (let t = j; t < span; t += m) {
      if (Number.isFinite(xs[t]!)) {
        s += xs[t]! - level;
        n++;
      }
    }
    season[j] = n > 0 ? s / n : 0;
  }
  // Seasonal indices of an additive model sum to zero so the level stays the weekly average.
  const avg = season.reduce((a, b) => a + b, 0) / m;
  for (let j = 0; j < m; j++) season[j] = season[j]! - avg;
  return { level: Number.isFinite(level) ? level : 0, season };
}

function fitHw(xs: number[], options: HoltWintersOptions, name: string): FittedModel {
  const m = options.period ?? 7;
  if (observedCount(xs) < 2 * m) return emptyFit(name, xs.length);
  const init = initialState(xs, m);
  const useTrend = options.trend ?? false;
  // Unit box coordinates: a, b' = β/α, g' = γ/(1−α), phi.
  const toParams = (v: number[]) => {
    const alpha = v[0]!;
    return {
      alpha,
      beta: useTrend ? v[1]! * alpha : 0,
      gamma: v[2]! * (1 - alpha),
      phi: useTrend ? v[3]! : 1,
    };
  };
  let p: { alpha: number; beta: number; gamma: number; phi: number };
  if (options.params) {
    p = {
      alpha: options.params.alpha,
      beta: options.params.beta ?? 0,
      gamma: options.params.gamma,
      phi: options.params.phi ?? 1,
    };
  } else {
    const objective = (v: number[]) => {
      const q = toParams(v);
      return run(xs, m, init, q.alpha, q.beta, q.gamma, q.phi).sse;
    };
    const bounds: [number, number][] = [
      [0.005, 0.8],
      [0, useTrend ? 0.3 : 0],
      [0, 0.5],
      [useTrend ? 0.8 : 1, useTrend ? 0.98 : 1],
    ];
    const best = minimiseBox(objective, [0.1, 0.05, 0.05, useTrend ? 0.9 : 1], bounds, 2);
    p = toParams(best);
  }
  const fitted = new Array<number>(xs.length).fill(Number.NaN);
  const st = run(xs, m, init, p.alpha, p.beta, p.gamma, p.phi, fitted);
  const n = xs.length;
  return {
    name,
    forecast(h: number): number[] {
      const out: number[] = [];
      let damp = 0;
      let pw = 1;
      for (let k = 1; k <= h; k++) {
        pw *= p.phi;
        damp += pw;
        out.push(st.level + damp * st.trend + st.season[(n + k - 1) % m]!);
      }
      return clampNonNegative(out);
    },
    residualSd: residualSdOf(xs, fitted),
    fitted,
    params: { alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi, period: m },
  };
}

/**
 * Holt-Winters additive with weekly seasonality (default), optional damped trend and optional
 * yearly Fourier seasonality.
 */
export function holtWinters(options: HoltWintersOptions = {}): Model {
  const name = options.name ?? `hw${options.trend ? '-damped' : ''}${options.yearly ? '-yearly' : ''}`;
  const weekly = defineModel(name, (xs) => fitHw(xs, options, name));
  if (options.yearly !== 'fourier') return weekly;
  return yearlyFourier(weekly, { harmonics: options.yearlyHarmonics ?? 3, name });
}
