import { prepareHistory } from './prepare.ts';
import type { FitOptions, FittedModel, Model } from './types.ts';

/**
 * Wraps a fit function that works on a NaN-for-missing series into a Model that honours
 * FitOptions (censoring mask, exclusions, anomaly filtering) uniformly.
 */
export function defineModel(name: string, fitPrepared: (xs: number[]) => FittedModel): Model {
  return {
    name,
    fit(history: readonly number[], options?: FitOptions): FittedModel {
      return fitPrepared(prepareHistory(history, options));
    },
  };
}
