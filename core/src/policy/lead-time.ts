import { mean as meanOf, variance } from '../stats/descriptive.ts';
import { type Explained, fmt } from './explain.ts';
import { type LeadTimeDrift, leadTimeDrift } from './lead-time-drift.ts';

export interface LeadTimeObservation {
  /** Order-to-receipt time in days. */
  readonly leadTimeDays: number;
}

export interface LeadTimePrior {
  /** Supplier's nominal (quoted or contractual) lead time in days. */
  readonly nominalDays: number;
  /** Prior sd; default 25% of the nominal, a typical spread for quoted lead times. */
  readonly nominalSdDays?: number;
  /** Weight of the prior in pseudo-observations. Default 3. */
  readonly priorWeight?: number;
}

export interface LeadTimeEstimate {
  /** Shrunk mean lead time L̄ (days). */
  readonly mean: Explained<{ nominal: number; priorWeight: number; n: number; sampleMean: number }>;
  /** Shrunk sd σL (days). */
  readonly sd: Explained<{
    nominalSd: number;
    priorWeight: number;
    n: number;
    sumSquares: number;
    disagreement: number;
  }>;
  readonly n: number;
  readonly sampleMean: number;
  readonly sampleSd: number;
  /** Drift of these observations (in the order given, oldest first): core's one definition. */
  readonly drift: LeadTimeDrift;
}

/**
 * Lead time from purchase-order history, shrunk towards the supplier's nominal lead time while
 * there is little history (normal–normal conjugate weighting with the prior worth k orders):
 *   L̄ = (k·L₀ + n·x̄) / (k + n)
 *   σL² = (k·σ₀² + Σ(x − x̄)² + k·n/(k + n)·(x̄ − L₀)²) / (k + n)
 * The last term widens σL when history disagrees with the nominal — exactly when a buyer should
 * not trust either figure. With n = 0 the result is the prior.
 */
export function estimateLeadTime(
  observations: readonly (LeadTimeObservation | number)[],
  prior: LeadTimePrior,
): LeadTimeEstimate {
  const obs = observations
    .map((o) => (typeof o === 'number' ? { leadTimeDays: o } : o))
    .filter((o) => Number.isFinite(o.leadTimeDays) && o.leadTimeDays >= 0);
  const xs = obs.map((o) => o.leadTimeDays);
  const n = xs.length;
  const k = prior.priorWeight ?? 3;
  const L0 = prior.nominalDays;
  const s0 = prior.nominalSdDays ?? 0.25 * L0;
  const xbar = n > 0 ? meanOf(xs) : Number.NaN;
  const ss = n > 1 ? variance(xs) * (n - 1) : 0;
  const mean = n > 0 ? (k * L0 + n * xbar) / (k + n) : L0;
  const varPost = n > 0 ? (k * s0 * s0 + ss + ((k * n) / (k + n)) * (xbar - L0) ** 2) / (k + n) : s0 * s0;
  return {
    mean: {
      value: mean,
      formula: 'L̄ = (k·L₀ + n·x̄) / (k + n)',
      substituted:
        n > 0
          ? `L̄ = (${fmt(k, 0)}·${fmt(L0)} + ${n}·${fmt(xbar)}) / (${fmt(k, 0)} + ${n}) = ${fmt(mean)}`
          : `L̄ = L₀ = ${fmt(L0)} (no history)`,
      inputs: { nominal: L0, priorWeight: k, n, sampleMean: xbar },
    },
    sd: {
      value: Math.sqrt(varPost),
      formula: 'σL = √((k·σ₀² + Σ(x − x̄)² + k·n/(k + n)·(x̄ − L₀)²) / (k + n))',
      substituted:
        n > 0
          ? `σL = √((${fmt(k, 0)}·${fmt(s0)}² + ${fmt(ss)} + ${fmt((k * n) / (k + n))}·${fmt(xbar - L0)}²) / ${fmt(k + n, 0)}) = ${fmt(Math.sqrt(varPost))}`
          : `σL = σ₀ = ${fmt(s0)} (no history)`,
      inputs: { nominalSd: s0, priorWeight: k, n, sumSquares: ss, disagreement: n > 0 ? xbar - L0 : 0 },
    },
    n,
    sampleMean: xbar,
    sampleSd: n > 1 ? Math.sqrt(variance(xs)) : Number.NaN,
    drift: leadTimeDrift(xs),
  };
}
