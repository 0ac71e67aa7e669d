import { defineModel } from './define-model.ts';
import { clampNonNegative, residualSdOf } from './prepare.ts';
import type { Model } from './types.ts';

export interface WeekdayProfileOptions {
  readonly period?: number;
  /** Days of recent history the indices are estimated from; default 364 (52 weeks). */
  readonly window?: number;
  readonly name?: string;
}

/**
 * Multiplicative weekday adjustment around any non-seasonal model: index_j = mean demand on
 * position j / overall mean (recent window), the model is fitted to x_t / index_{t mod 7} and its
 * forecast multiplied back. Multiplicative suits counts: a quiet weekday stays proportionally
 * quiet when the level moves. A position with no demand at all (closed day) has index 0; those
 * days are treated as missing in fitting and forecast as 0.
 */
export function weekdayProfile(base: Model, options: WeekdayProfileOptions = {}): Model {
  const m = options.period ?? 7;
  const window = options.window ?? 364;
  const name = options.name ?? `${base.name}+weekday`;
  return defineModel(name, (xs) => {
    const n = xs.length;
    const sums = new Array<number>(m).fill(0);
    const counts = new Array<number>(m).fill(0);
    for (let t = Math.max(0, n - window); t < n; t++) {
      const x = xs[t]!;
      if (!Number.isFinite(x)) continue;
      sums[t % m] = sums[t % m]! + x;
      counts[t % m] = counts[t % m]! + 1;
    }
    const means = sums.map((s, j) => (counts[j]! > 0 ? s / counts[j]! : Number.NaN));
    const valid = means.filter((v) => Number.isFinite(v));
    const overall = valid.reduce((a, b) => a + b, 0) / Math.max(1, valid.length);
    const index = means.map((v) => (overall > 0 && Number.isFinite(v) ? v / overall : 1));
    const adjusted = xs.map((x, t) => (index[t % m]! > 0 ? x / index[t % m]! : Number.NaN));
    const fit = base.fit(adjusted);
    const fitted = fit.fitted.map((f, t) => f * index[t % m]!);
    const indexParams: Record<string, number> = {};
    index.forEach((v, j) => {
      indexParams[`index${j}`] = v;
    });
    return {
      name,
      forecast: (h) => clampNonNegative(fit.forecast(h).map((f, k) => f * index[(n + k) % m]!)),
      residualSd: residualSdOf(xs, fitted),
      fitted,
      params: { ...fit.params, ...indexParams },
    };
  });
}
