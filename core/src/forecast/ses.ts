import { defineModel } from './define-model.ts';
import { minimise1d } from './optimise.ts';
import { emptyFit, flat, observedCount, residualSdOf } from './prepare.ts';
import type { Model } from './types.ts';

export interface SesOptions {
  /** Fixed smoothing constant in (0, 1]; omitted = chosen by minimising in-sample one-step SSE. */
  readonly alpha?: number;
  /**
   * Horizon the optimised alpha should be good for. 1 (default) = classic one-step SSE. h > 1
   * minimises the in-sample squared error of the flat forecast over the next h periods, which
   * favours a steadier level when the forecast is used for weeks of lead-time demand.
   */
  readonly optimiseHorizon?: number;
  readonly name?: string;
}

/** Initial level: mean of the first (up to) 10 observed values, less sensitive than the first value. */
export function initialLevel(xs: readonly number[], count = 10): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length && n < count; i++) {
    if (Number.isFinite(xs[i]!)) {
      s += xs[i]!;
      n++;
    }
  }
  return n > 0 ? s / n : Number.NaN;
}

/** SSE of one-step errors for a given alpha; missing days leave the level unchanged (no error). */
export function sesSse(xs: readonly number[], alpha: number, l0: number): number {
  let level = l0;
  let sse = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (Number.isNaN(x)) continue;
    const e = x - level;
    sse += e * e;
    level += alpha * e;
  }
  return sse;
}

/**
 * In-sample SSE of the flat forecast ℓ_t against x_{t+1..t+h}, via running sums so each alpha costs
 * O(n): Σ_k (x_{t+k} − ℓ)² = S2 − 2ℓ·S1 + m·ℓ² over the observed points of the window.
 */
export function sesSseHorizon(xs: readonly number[], alpha: number, l0: number, h: number): number {
  const n = xs.length;
  const c1 = new Float64Array(n + 1);
  const c2 = new Float64Array(n + 1);
  const cn = new Float64Array(n + 1);
  for (let t = 0; t < n; t++) {
    const x = xs[t]!;
    const ok = !Number.isNaN(x);
    c1[t + 1] = c1[t]! + (ok ? x : 0);
    c2[t + 1] = c2[t]! + (ok ? x * x : 0);
    cn[t + 1] = cn[t]! + (ok ? 1 : 0);
  }
  let level = l0;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    // Level after observing x_{t-1}: forecasts x_t .. x_{t+h-1}.
    const b = Math.min(n, t + h);
    const s1 = c1[b]! - c1[t]!;
    const s2 = c2[b]! - c2[t]!;
    const m = cn[b]! - cn[t]!;
    sse += s2 - 2 * level * s1 + m * level * level;
    const x = xs[t]!;
    if (!Number.isNaN(x)) level += alpha * (x - level);
  }
  return sse;
}

/**
 * Simple exponential smoothing, level only: ℓ_t = ℓ_{t−1} + α(x_t − ℓ_{t−1}); flat forecast ℓ_n.
 * α = 1 reproduces the naive forecast exactly.
 */
export function ses(options: SesOptions = {}): Model {
  const name = options.name ?? 'ses';
  return defineModel(name, (xs) => {
    if (observedCount(xs) === 0) return emptyFit(name, xs.length);
    const l0 = initialLevel(xs);
    const h = options.optimiseHorizon ?? 1;
    const objective = h > 1 ? (a: number) => sesSseHorizon(xs, a, l0, h) : (a: number) => sesSse(xs, a, l0);
    const alpha = options.alpha ?? minimise1d(objective, 0.01, 1);
    const fitted = new Array<number>(xs.length).fill(Number.NaN);
    let level = l0;
    for (let i = 0; i < xs.length; i++) {
      fitted[i] = level;
      const x = xs[i]!;
      if (Number.isFinite(x)) level += alpha * (x - level);
    }
    const final = level;
    return {
      name,
      forecast: (h) => flat(final, h),
      residualSd: residualSdOf(xs, fitted),
      fitted,
      params: { alpha },
    };
  });
}
