import { betaI, gammaQ, lnGamma } from './special.ts';

/**
 * Poisson and negative binomial distributions for counts of units. Intermittent and lumpy items
 * (most zero days, occasional boxes) have lead-time demand that is skewed and discrete; a normal
 * would put mass below zero and understate the upper tail the reorder point lives in.
 * Arguments `k` are floored: P(X ≤ 2.7) = P(X ≤ 2).
 */

export function poissonPmf(k: number, lambda: number): number {
  if (k < 0 || !Number.isInteger(k)) return 0;
  if (lambda === 0) return k === 0 ? 1 : 0;
  return Math.exp(-lambda + k * Math.log(lambda) - lnGamma(k + 1));
}

export function poissonCdf(k: number, lambda: number): number {
  const kk = Math.floor(k);
  if (kk < 0) return 0;
  if (lambda <= 0) return 1;
  // P(X ≤ k) = Q(k + 1, λ), the regularised upper incomplete gamma.
  return gammaQ(kk + 1, lambda);
}

/** Smallest integer k with P(X ≤ k) ≥ p. */
export function poissonQuantile(p: number, lambda: number): number {
  return discreteQuantile(p, lambda, Math.sqrt(Math.max(lambda, 0)), (k) => poissonCdf(k, lambda));
}

/** Negative binomial in the (r, p) "failures before r-th success" form, mean r(1 − p)/p. */
export interface NegBinParams {
  readonly r: number;
  readonly p: number;
}

/**
 * Method-of-moments parameters from a mean and variance: p = μ/σ², r = μ²/(σ² − μ).
 * Returns null when σ² ≤ μ (no over-dispersion): callers then use the Poisson.
 */
export function negBinParams(mean: number, varianceValue: number): NegBinParams | null {
  if (!(mean > 0) || !(varianceValue > mean)) return null;
  return { r: (mean * mean) / (varianceValue - mean), p: mean / varianceValue };
}

export function negBinPmf(k: number, mean: number, varianceValue: number): number {
  const nb = negBinParams(mean, varianceValue);
  if (!nb) return poissonPmf(k, Math.max(mean, 0));
  if (k < 0 || !Number.isInteger(k)) return 0;
  const { r, p } = nb;
  return Math.exp(lnGamma(k + r) - lnGamma(r) - lnGamma(k + 1) + r * Math.log(p) + k * Math.log1p(-p));
}

/** P(X ≤ k) for a negative binomial with the given mean and variance; Poisson when variance ≤ mean. */
export function negBinCdf(k: number, mean: number, varianceValue: number): number {
  const nb = negBinParams(mean, varianceValue);
  if (!nb) return poissonCdf(k, Math.max(mean, 0));
  const kk = Math.floor(k);
  if (kk < 0) return 0;
  // P(X ≤ k) = I_p(r, k + 1).
  return betaI(nb.p, nb.r, kk + 1);
}

export function negBinQuantile(p: number, mean: number, varianceValue: number): number {
  const nb = negBinParams(mean, varianceValue);
  if (!nb) return poissonQuantile(p, Math.max(mean, 0));
  return discreteQuantile(p, mean, Math.sqrt(varianceValue), (k) => negBinCdf(k, mean, varianceValue));
}

/**
 * Smallest integer k ≥ 0 with cdf(k) ≥ p. Starts near the normal approximation and walks, so the
 * cost is a handful of cdf calls even for means in the thousands.
 */
export function discreteQuantile(p: number, mean: number, sd: number, cdf: (k: number) => number): number {
  if (!(p > 0)) return 0;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  let k = Math.max(0, Math.floor(mean + sd * approxZ(p)));
  const tol = 1e-12;
  if (cdf(k) >= p - tol) {
    while (k > 0 && cdf(k - 1) >= p - tol) k--;
  } else {
    let step = 1;
    // Exponential search upwards, then bisection, so far tails stay cheap.
    let lo = k;
    let hi = k + step;
    while (cdf(hi) < p - tol) {
      lo = hi;
      step *= 2;
      hi = k + step;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (cdf(mid) >= p - tol) hi = mid;
      else lo = mid;
    }
    k = hi;
  }
  return k;
}

// Crude z for a starting guess only (accuracy irrelevant: the walk above makes it exact).
function approxZ(p: number): number {
  const t = Math.sqrt(-2 * Math.log(Math.min(p, 1 - p)));
  const z =
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) /
      (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  return p < 0.5 ? -z : z;
}
