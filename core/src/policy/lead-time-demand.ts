import type { DemandClass } from '../forecast/types.ts';
import { negBinCdf, negBinParams, negBinQuantile, poissonCdf, poissonQuantile } from '../stats/discrete.ts';
import { normalCdf, normalInv } from '../stats/normal.ts';
import { mulberry32, randomInt } from '../stats/prng.ts';
import { type Explained, fmt } from './explain.ts';

export type LeadTimeDemandKind = 'normal' | 'poisson' | 'negative-binomial' | 'bootstrap';

/** Distribution of demand during the replenishment lead time (units). */
export interface LeadTimeDemand {
  readonly kind: LeadTimeDemandKind;
  readonly mean: number;
  readonly sd: number;
  /** P(D_L ≤ x). Discrete kinds floor x. */
  cdf(x: number): number;
  /** Smallest x with P(D_L ≤ x) ≥ p (integer for discrete kinds; ≥ 0 for all). */
  quantile(p: number): number;
  /** Human-readable label with parameters, e.g. 'NegBin(mean 12.00, var 30.50)'. */
  readonly label: string;
}

export interface LeadTimeMoments {
  readonly dailyMean: number;
  readonly dailySd: number;
  readonly leadTimeMean: number;
  readonly leadTimeSd?: number;
}

/** E[D_L] = d̄·L̄, Var[D_L] = L̄·σd² + d̄²·σL² (random sum of i.i.d. daily demands). */
export function leadTimeDemandMoments(m: LeadTimeMoments): { mean: number; variance: number } {
  const sL = m.leadTimeSd ?? 0;
  return {
    mean: m.dailyMean * m.leadTimeMean,
    variance: m.leadTimeMean * m.dailySd * m.dailySd + m.dailyMean * m.dailyMean * sL * sL,
  };
}

export function normalLeadTimeDemand(mean: number, sd: number): LeadTimeDemand {
  return {
    kind: 'normal',
    mean,
    sd,
    cdf: (x) => (sd > 0 ? normalCdf((x - mean) / sd) : x >= mean ? 1 : 0),
    // A negative quantile means "no stock needed"; stock cannot be negative.
    quantile: (p) => Math.max(0, sd > 0 ? mean + sd * normalInv(p) : mean),
    label: `Normal(mean ${fmt(mean)}, sd ${fmt(sd)})`,
  };
}

export function poissonLeadTimeDemand(mean: number): LeadTimeDemand {
  return {
    kind: 'poisson',
    mean,
    sd: Math.sqrt(mean),
    cdf: (x) => poissonCdf(x, mean),
    quantile: (p) => poissonQuantile(p, mean),
    label: `Poisson(mean ${fmt(mean)})`,
  };
}

/** Negative binomial from mean and variance; a Poisson when variance ≤ mean (no over-dispersion). */
export function negativeBinomialLeadTimeDemand(mean: number, variance: number): LeadTimeDemand {
  if (!negBinParams(mean, variance)) return poissonLeadTimeDemand(mean);
  return {
    kind: 'negative-binomial',
    mean,
    sd: Math.sqrt(variance),
    cdf: (x) => negBinCdf(x, mean, variance),
    quantile: (p) => negBinQuantile(p, mean, variance),
    label: `NegBin(mean ${fmt(mean)}, var ${fmt(variance)})`,
  };
}

export interface BootstrapOptions {
  readonly samples?: number;
  readonly seed?: number;
  /**
   * 'block' (default) sums L consecutive historical days from a random start, keeping weekday
   * patterns and runs of high demand; 'iid' sums L independently drawn days.
   */
  readonly sampling?: 'block' | 'iid';
}

/**
 * Empirical lead-time demand: repeatedly draw a lead time from the observed lead times and sum
 * that many days of historical demand. No distributional assumption at all — the honest choice
 * for lumpy items whose demand comes in boxes. Seeded, so an explanation reproduces.
 * Fractional lead times are rounded stochastically (6.4 → 6 with p 0.6, 7 with p 0.4).
 */
export function bootstrapLeadTimeDemand(
  dailyHistory: readonly number[],
  leadTimes: readonly number[],
  options: BootstrapOptions = {},
): LeadTimeDemand {
  const hist = dailyHistory.filter((x) => Number.isFinite(x));
  const lts = leadTimes.filter((x) => Number.isFinite(x) && x >= 0);
  if (hist.length === 0 || lts.length === 0)
    throw new RangeError('bootstrap needs demand history and lead times');
  const n = options.samples ?? 5000;
  const rand = mulberry32(options.seed ?? 1);
  const block = (options.sampling ?? 'block') === 'block';
  const sims = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    const lt = lts[randomInt(rand, lts.length)]!;
    const whole = Math.floor(lt);
    const L = whole + (rand() < lt - whole ? 1 : 0);
    let total = 0;
    if (block && L <= hist.length) {
      const start = randomInt(rand, hist.length - L + 1);
      for (let k = 0; k < L; k++) total += hist[start + k]!;
    } else {
      for (let k = 0; k < L; k++) total += hist[randomInt(rand, hist.length)]!;
    }
    sims[s] = total;
  }
  sims.sort();
  let mean = 0;
  for (const v of sims) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of sims) ss += (v - mean) * (v - mean);
  const sd = Math.sqrt(ss / Math.max(1, n - 1));
  return {
    kind: 'bootstrap',
    mean,
    sd,
    cdf(x: number): number {
      // Count of simulations ≤ x by binary search.
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sims[mid]! <= x) lo = mid + 1;
        else hi = mid;
      }
      return lo / n;
    },
    quantile(p: number): number {
      if (p <= 0) return sims[0]!;
      const idx = Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1));
      return sims[idx]!;
    },
    label: `Bootstrap(${n} draws, mean ${fmt(mean)}, sd ${fmt(sd)})`,
  };
}

export interface LeadTimeDemandOptions extends LeadTimeMoments {
  readonly demandClass?: DemandClass;
  /**
   * 'auto' (default): normal for smooth/erratic demand, negative binomial (Poisson when not
   * over-dispersed) for intermittent/lumpy. 'bootstrap' needs dailyHistory and leadTimes.
   */
  readonly method?: 'auto' | LeadTimeDemandKind;
  readonly dailyHistory?: readonly number[];
  readonly leadTimes?: readonly number[];
  readonly bootstrap?: BootstrapOptions;
}

export function leadTimeDemand(options: LeadTimeDemandOptions): LeadTimeDemand {
  const method = options.method ?? 'auto';
  const { mean, variance } = leadTimeDemandMoments(options);
  const discrete = options.demandClass === 'intermittent' || options.demandClass === 'lumpy';
  if (method === 'bootstrap') {
    const lts = options.leadTimes ?? [options.leadTimeMean];
    return bootstrapLeadTimeDemand(options.dailyHistory ?? [], lts, options.bootstrap);
  }
  if (method === 'poisson') return poissonLeadTimeDemand(mean);
  if (method === 'negative-binomial' || (method === 'auto' && discrete))
    return negativeBinomialLeadTimeDemand(mean, variance);
  return normalLeadTimeDemand(mean, Math.sqrt(variance));
}

/**
 * ROP as the CSL-quantile of the lead-time demand distribution: the stock that covers lead-time
 * demand with probability CSL. For a normal this equals d̄·L̄ + z·σ_L; for discrete or bootstrap
 * distributions it is their own quantile (integer units), so skew is respected.
 */
export function reorderPointFromDistribution(
  dist: LeadTimeDemand,
  serviceLevel: number,
): Explained<{
  distribution: string;
  kind: LeadTimeDemandKind;
  serviceLevel: number;
  mean: number;
  sd: number;
  safetyStock: number;
}> {
  const value = dist.quantile(serviceLevel);
  return {
    value,
    formula: 'ROP = F⁻¹_{D_L}(CSL)',
    substituted: `ROP = ${dist.label}⁻¹(${fmt(serviceLevel, 3)}) = ${fmt(value)}`,
    inputs: {
      distribution: dist.label,
      kind: dist.kind,
      serviceLevel,
      mean: dist.mean,
      sd: dist.sd,
      safetyStock: value - dist.mean,
    },
  };
}
