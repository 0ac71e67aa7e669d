import { mean, standardDeviation } from '../stats/index.ts';

/** Weight of the nominal lead time, in pseudo-observations, against measured receipts. */
const PRIOR_WEIGHT = 3;

/**
 * Lead time from receipt history, shrunk towards the supplier's nominal lead time while history
 * is short (a Bayesian mean with the nominal as prior worth PRIOR_WEIGHT observations).
 */
export function estimateLeadTime(observed: number[], nominal: number) {
  const n = observed.length;
  if (n === 0) return { meanDays: nominal, sdDays: nominal * 0.25, source: 'nominal' as const, observations: 0, drift: null };
  const m = mean(observed);
  const meanDays = (n * m + PRIOR_WEIGHT * nominal) / (n + PRIOR_WEIGHT);
  const priorSd = nominal * 0.25;
  const sampleSd = n >= 2 ? standardDeviation(observed) : priorSd;
  const sdDays = Math.sqrt((n * sampleSd ** 2 + PRIOR_WEIGHT * priorSd ** 2) / (n + PRIOR_WEIGHT));
  const recent = observed.slice(-3);
  const earlier = observed.slice(0, -3);
  const drift = earlier.length >= 2 ? { recentMeanDays: mean(recent), historyMeanDays: mean(earlier), recentN: recent.length } : null;
  return { meanDays, sdDays, source: 'history' as const, observations: n, drift };
}
