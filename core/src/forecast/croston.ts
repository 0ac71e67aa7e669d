import { defineModel } from './define-model.ts';
import { minimise1d, minimiseBox } from './optimise.ts';
import { emptyFit, flat, residualSdOf } from './prepare.ts';
import type { FittedModel, Model } from './types.ts';

export interface CrostonOptions {
  /**
   * Smoothing constant for both sizes and intervals. A number fixes it; 'optimise' picks it in
   * [0.02, 0.5] by one-step SSE. Default 0.1, the value most studies recommend for intermittent
   * demand (SSE-optimal α tends to chase the last spike).
   */
  readonly alpha?: number | 'optimise';
  readonly name?: string;
}

interface CrostonState {
  sse: number;
  size: number;
  interval: number;
  started: boolean;
}

/**
 * Croston's method. On a demand period: z ← z + α(x − z), p ← p + α(q − p), q ← 1, where q counts
 * observed periods since the last demand; otherwise q ← q + 1. Forecast per period = factor·z/p.
 * Missing (censored) periods are skipped entirely: they neither count as a zero nor extend q.
 * Initialisation: z = first demand, p = observed periods up to and including it.
 */
function runCroston(xs: readonly number[], alpha: number, factor: number, fitted?: number[]): CrostonState {
  let size = 0;
  let interval = 0;
  let q = 0;
  let started = false;
  let sse = 0;
  for (let t = 0; t < xs.length; t++) {
    const x = xs[t]!;
    if (started) {
      const f = (factor * size) / interval;
      if (fitted) fitted[t] = f;
      if (!Number.isNaN(x)) sse += (x - f) * (x - f);
    }
    if (Number.isNaN(x)) continue;
    q++;
    if (x > 0) {
      if (!started) {
        size = x;
        interval = q;
        started = true;
      } else {
        size += alpha * (x - size);
        interval += alpha * (q - interval);
      }
      q = 0;
    }
  }
  return { sse, size, interval, started };
}

function crostonFamily(defaultName: string, bias: (alpha: number) => number, options: CrostonOptions): Model {
  const name = options.name ?? defaultName;
  return defineModel(name, (xs): FittedModel => {
    const a = options.alpha ?? 0.1;
    const alpha = a === 'optimise' ? minimise1d((v) => runCroston(xs, v, bias(v)).sse, 0.02, 0.5, 10) : a;
    const factor = bias(alpha);
    const fitted = new Array<number>(xs.length).fill(Number.NaN);
    const st = runCroston(xs, alpha, factor, fitted);
    if (!st.started) return emptyFit(name, xs.length);
    const value = (factor * st.size) / st.interval;
    return {
      name,
      forecast: (h) => flat(value, h),
      residualSd: residualSdOf(xs, fitted),
      fitted,
      params: { alpha, size: st.size, interval: st.interval, factor },
    };
  });
}

export function croston(options: CrostonOptions = {}): Model {
  return crostonFamily('croston', () => 1, options);
}

/** Syntetos–Boylan approximation: Croston × (1 − α/2), removing Croston's positive bias. */
export function sba(options: CrostonOptions = {}): Model {
  return crostonFamily('sba', (alpha) => 1 - alpha / 2, options);
}

export interface TsbOptions {
  /** Size smoothing; default optimised in [0.02, 0.5]. */
  readonly alpha?: number;
  /** Demand-probability smoothing; default optimised in [0.01, 0.5]. */
  readonly beta?: number;
  readonly name?: string;
}

/**
 * Teunter–Syntetos–Babai: the demand probability π is updated every observed period
 * (π ← π + β(1[x>0] − π)), the size z only on demand periods; forecast = π·z. Unlike Croston,
 * the forecast decays when an item stops being used — obsolescence shows up, which matters
 * for expiry risk.
 */
export function tsb(options: TsbOptions = {}): Model {
  const name = options.name ?? 'tsb';
  const run = (xs: readonly number[], alpha: number, beta: number, fitted?: number[]) => {
    // Initial π and z from the first 30 observed periods (or all, if fewer).
    let obs = 0;
    let nz = 0;
    let s = 0;
    for (let t = 0; t < xs.length && obs < 30; t++) {
      const x = xs[t]!;
      if (Number.isNaN(x)) continue;
      obs++;
      if (x > 0) {
        nz++;
        s += x;
      }
    }
    let prob = obs > 0 ? nz / obs : 0;
    let size = nz > 0 ? s / nz : 0;
    let sse = 0;
    for (let t = 0; t < xs.length; t++) {
      const f = prob * size;
      if (fitted) fitted[t] = f;
      const x = xs[t]!;
      if (Number.isNaN(x)) continue;
      sse += (x - f) * (x - f);
      if (x > 0) {
        prob += beta * (1 - prob);
        size += alpha * (x - size);
      } else {
        prob -= beta * prob;
      }
    }
    return { sse, prob, size };
  };
  return defineModel(name, (xs): FittedModel => {
    let alpha = options.alpha;
    let beta = options.beta;
    if (alpha === undefined || beta === undefined) {
      const fa = alpha;
      const fb = beta;
      const v = minimiseBox(
        (p) => run(xs, fa ?? p[0]!, fb ?? p[1]!).sse,
        [0.1, 0.05],
        [
          [0.02, 0.5],
          [0.01, 0.5],
        ],
        2,
      );
      alpha = fa ?? v[0]!;
      beta = fb ?? v[1]!;
    }
    const fitted = new Array<number>(xs.length).fill(Number.NaN);
    const st = run(xs, alpha, beta, fitted);
    const value = st.prob * st.size;
    return {
      name,
      forecast: (h) => flat(value, h),
      residualSd: residualSdOf(xs, fitted),
      fitted,
      params: { alpha, beta, probability: st.prob, size: st.size },
    };
  });
}
