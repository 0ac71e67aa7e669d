import { defineModel } from './define-model.ts';
import { residualSdOf } from './prepare.ts';
import type { Model } from './types.ts';

/**
 * Equal-weight combination: the mean of the members' forecasts. Averaging models with different
 * error patterns is one of the most reliable accuracy gains in forecasting competitions (M3/M4).
 */
export function combine(models: readonly Model[], name?: string): Model {
  const label = name ?? `mean(${models.map((m) => m.name).join(',')})`;
  return defineModel(label, (xs) => {
    const fits = models.map((m) => m.fit(xs));
    const fitted = xs.map((_, t) => fits.reduce((s, f) => s + f.fitted[t]!, 0) / fits.length);
    return {
      name: label,
      forecast(h: number): number[] {
        const all = fits.map((f) => f.forecast(h));
        return Array.from({ length: h }, (_, i) => all.reduce((s, f) => s + f[i]!, 0) / all.length);
      },
      residualSd: residualSdOf(xs, fitted),
      fitted,
      params: { members: fits.length },
    };
  });
}
