/**
 * Predictive distributions of total demand over a window, for forecastOutlook. Four families:
 * - poisson: variance = mean (demand as independent small events, no level uncertainty);
 * - negative-binomial: variance from the model's own rolling-origin errors, var(w) = a·w + b·w²
 *   for a window of w periods (a: period-to-period noise, b: the level's own uncertainty, which
 *   adds up across the window instead of averaging out), never below the mean;
 * - normal: the same variance, truncated at 0 (large smooth volumes);
 * - empirical: the series' own k-period sums (overlapping), as ratios to their mean, scaled to the
 *   forecast mean (a bootstrap that keeps skew and lumpiness the parametric families miss).
 * The family is chosen per series by rolling-origin pinball loss over OUTLOOK_QUANTILES.
 */
import { negBinCdf, negBinQuantile, poissonCdf, poissonQuantile } from '../stats/discrete.ts';
import { normalCdf, normalInv } from '../stats/normal.ts';
import { type DemandTotal, OUTLOOK_QUANTILES } from './outlook-types.ts';

export type Family = 'poisson' | 'negative-binomial' | 'normal' | 'empirical';
export const FAMILIES: readonly Family[] = ['negative-binomial', 'poisson', 'empirical', 'normal'];

/** What a distribution is built from at one origin (all from data before it). */
export interface SpreadStats {
  /** var(w) = a·w + b·w² (w in periods); null when fewer than 3 errors were available. */
  readonly a: number;
  readonly b: number;
  readonly fromErrors: boolean;
  /** Dispersion index (variance ÷ mean) of single periods and of K-period sums, NaN when unknown. */
  readonly d1?: number;
  readonly dK?: number;
  readonly K?: number;
  /**
   * Periods of evidence behind the forecast level (period grains only): the level is itself
   * uncertain, var(level) ≈ d1·μ₁/nEff per period, and that error does not average out across a
   * window — it adds w²·d1·μ₁/nEff to a w-period sum. Absent at daily grain, whose K-day sums of
   * the series' own past already carry the level's drift.
   */
  readonly nEff?: number;
  /** Sorted ratios of the series' k-period sums to their mean, per k (lazy). */
  ratios(k: number): Float64Array | null;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));

/**
 * Variance of a window of w periods with mean μ, per family. negative-binomial: the series' own
 * dispersion (variance ÷ mean of its single periods and of its K-period sums, interpolated in w,
 * applied to the forecast mean — an NB fitted to the series' own sums but centred on the model's
 * level); normal and the fallback for NB: the rolling-origin error model a·w + b·w². Without
 * either, μ + μ²/4 (a level known to ±50%). Never below μ for counts.
 */
export function windowVariance(
  s: SpreadStats,
  w: number,
  mu: number,
  family: Family = 'negative-binomial',
): number {
  if (family === 'negative-binomial' && Number.isFinite(s.d1) && Number.isFinite(s.dK)) {
    const K = s.K ?? 1;
    const d =
      w < 1 ? thinnedDispersion(s.d1!, w) : K > 1 ? s.d1! + ((s.dK! - s.d1!) * (w - 1)) / (K - 1) : s.dK!;
    const level = s.nEff && s.nEff > 0 ? (mu * w * Math.max(s.d1!, 1)) / s.nEff : 0;
    return Math.max(mu * Math.max(d, 1.0001) + level, 1e-12);
  }
  if (!s.fromErrors) return mu + 0.25 * mu * mu;
  const v = s.a * w + s.b * w * w;
  return Math.max(v, family === 'normal' ? 1e-12 : mu * 1.0001, 1e-12);
}

/**
 * Dispersion (variance ÷ mean) of the demand in a fraction w < 1 of a period whose own dispersion
 * is d: the period's units fall in the window independently with probability w (binomial
 * thinning: var = w²·V + w(1 − w)·M), so d_w = 1 + w(d − 1). It tends to Poisson for a short
 * window and to the period's own dispersion for the whole of it — never below Poisson (the
 * straight-line interpolation between 1 and K periods extrapolated below it for w < 1) and never
 * above the period's.
 */
export function thinnedDispersion(d: number, w: number): number {
  const f = Math.min(1, Math.max(0, w));
  return 1 + f * (Math.max(d, 1) - 1);
}

/** Gamma (Wilson–Hilferty) quantile with the given moments: cheap stand-in for large means. */
function gammaQuantile(p: number, mu: number, v: number): number {
  const k = (mu * mu) / v;
  const z = normalInv(p);
  const c = 1 - 1 / (9 * k) + z / (3 * Math.sqrt(k));
  return Math.max(0, mu * Math.max(0, c) ** 3);
}

/** Above this mean, discrete quantiles use the gamma approximation (error well below one unit's share). */
const LARGE_MEAN = 200;

/** Zero demand for certain. */
class ZeroTotal implements DemandTotal {
  readonly mean = 0;
  readonly sd = 0;
  constructor(readonly label: string) {}
  cdf(x: number): number {
    return x >= 0 ? 1 : 0;
  }
  quantile(): number {
    return 0;
  }
}

class EmpiricalTotal implements DemandTotal {
  private sdCache = Number.NaN;
  constructor(
    readonly mean: number,
    private readonly ratios: Float64Array,
  ) {}
  get label(): string {
    return `Empirical(mean ${fmt(this.mean)}, ${this.ratios.length} sums)`;
  }
  get sd(): number {
    if (Number.isNaN(this.sdCache)) {
      let s2 = 0;
      for (const r of this.ratios) s2 += (r - 1) * (r - 1);
      this.sdCache = this.mean * Math.sqrt(s2 / this.ratios.length);
    }
    return this.sdCache;
  }
  cdf(x: number): number {
    if (x < 0) return 0;
    const r = this.ratios;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid]! * this.mean <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo / r.length;
  }
  quantile(p: number): number {
    if (!(p > 0)) return 0;
    const N = this.ratios.length;
    return this.ratios[Math.min(N - 1, Math.max(0, Math.ceil(p * N) - 1))]! * this.mean;
  }
}

class NormalTotal implements DemandTotal {
  constructor(
    readonly mean: number,
    readonly sd: number,
  ) {}
  // Formatted when read: an engine run builds dozens of totals and quotes the labels of a few.
  get label(): string {
    return `Normal(mean ${fmt(this.mean)}, sd ${fmt(this.sd)})`;
  }
  cdf(x: number): number {
    return x < 0 ? 0 : normalCdf((x - this.mean) / this.sd);
  }
  quantile(p: number): number {
    return p > 0 ? Math.max(0, this.mean + this.sd * normalInv(Math.min(p, 1 - 1e-12))) : 0;
  }
}

/**
 * Poisson (r = Infinity) or negative binomial counts. Quantiles walk the pmf recurrence from 0
 * (pmf(k+1) = pmf(k)·λ/(k+1), or ·(k+r)(1−p)/(k+1)), a few hundred multiplications at most; above
 * LARGE_MEAN the moment-matched gamma stands in, whose error is far below one unit there.
 */
class CountTotal implements DemandTotal {
  readonly sd: number;
  private readonly r: number;
  private readonly q: number;
  constructor(
    readonly mean: number,
    private readonly variance: number,
  ) {
    const poisson = !(variance > mean * 1.0001);
    this.r = poisson ? Number.POSITIVE_INFINITY : (mean * mean) / (variance - mean);
    this.q = poisson ? 0 : 1 - mean / variance;
    this.sd = Math.sqrt(poisson ? mean : variance);
  }
  // Formatted when read (see NormalTotal.label).
  get label(): string {
    return Number.isFinite(this.r)
      ? `NegBin(mean ${fmt(this.mean)}, var ${fmt(this.variance)})`
      : `Poisson(mean ${fmt(this.mean)})`;
  }
  // cdf(x) depends on ⌊x⌋ only, and callers (the lead-time mixture's bisection, the stockout grid)
  // ask for many x within one unit: each whole unit's incomplete beta/gamma is computed once.
  private cdfMemo: Map<number, number> | null = null;
  cdf(x: number): number {
    const k = Math.floor(x);
    let memo = this.cdfMemo;
    if (!memo) {
      memo = new Map();
      this.cdfMemo = memo;
    }
    let v = memo.get(k);
    if (v === undefined) {
      v = Number.isFinite(this.r) ? negBinCdf(k, this.mean, this.variance) : poissonCdf(k, this.mean);
      memo.set(k, v);
    }
    return v;
  }
  // The pmf walk so far: cumulative probabilities cum[0..len−1], the next pmf term.
  private cum: Float64Array | null = null;
  private len = 0;
  private pmf = 0;
  private walkTo(p: number): Float64Array {
    let cum = this.cum;
    if (!cum) {
      cum = new Float64Array(Math.max(16, Math.ceil(this.mean + 6 * this.sd + 8)));
      this.pmf = Number.isFinite(this.r) ? Math.exp(this.r * Math.log1p(-this.q)) : Math.exp(-this.mean);
    }
    const nb = Number.isFinite(this.r);
    let c = this.len > 0 ? cum[this.len - 1]! : 0;
    while ((this.len === 0 || c < p - 1e-12) && this.len < 100_000) {
      const k = this.len;
      if (k >= cum.length) {
        const grown: Float64Array = new Float64Array(cum.length * 2);
        grown.set(cum);
        cum = grown;
      }
      c += this.pmf;
      cum[k] = c;
      this.len++;
      this.pmf *= nb ? ((k + this.r) * this.q) / (k + 1) : this.mean / (k + 1);
    }
    this.cum = cum;
    return cum;
  }
  quantile(p: number): number {
    if (!(p > 0)) return 0;
    const m = this.mean;
    if (m > LARGE_MEAN) return Math.max(0, Math.ceil(gammaQuantile(p, m, this.sd * this.sd) - 0.5));
    if (p > 1 - 1e-9)
      return Number.isFinite(this.r) ? negBinQuantile(p, m, this.variance) : poissonQuantile(p, m);
    const t = this.walkTo(p);
    // Smallest k with cdf(k) ≥ p.
    let lo = 0;
    let hi = this.len - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid]! >= p - 1e-12) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

export function makeTotal(
  family: Family,
  mu: number,
  variance: number,
  ratios: Float64Array | null,
): DemandTotal {
  const m = Math.max(0, mu);
  if (!(m > 0)) return new ZeroTotal(`${family}(mean 0)`);
  if (family === 'empirical' && ratios && ratios.length > 0) return new EmpiricalTotal(m, ratios);
  if (family === 'normal') return new NormalTotal(m, Math.sqrt(variance));
  return new CountTotal(m, family === 'poisson' ? m : variance);
}

export function pinball(y: number, q: number, p: number): number {
  return y >= q ? p * (y - q) : (1 - p) * (q - y);
}

/** Mean pinball loss of a distribution at OUTLOOK_QUANTILES for outcome y. */
export function meanPinball(t: DemandTotal, y: number): number {
  let s = 0;
  for (const p of OUTLOOK_QUANTILES) s += pinball(y, t.quantile(p), p);
  return s / OUTLOOK_QUANTILES.length;
}

/** Sorted overlapping k-sums of y[from..to−1] (complete windows only) as ratios to their mean. */
export function sumRatios(y: Float64Array, from: number, to: number, k: number): Float64Array | null {
  const sums: number[] = [];
  let s = 0;
  let bad = 0;
  for (let t = from; t < to; t++) {
    const x = y[t]!;
    if (Number.isNaN(x)) bad++;
    else s += x;
    if (t - from >= k) {
      const old = y[t - k]!;
      if (Number.isNaN(old)) bad--;
      else s -= old;
    }
    if (t - from >= k - 1 && bad === 0) sums.push(s);
  }
  if (sums.length < 4) return null;
  let mean = 0;
  for (const v of sums) mean += v;
  mean /= sums.length;
  if (!(mean > 0)) return null;
  const out = Float64Array.from(sums, (v) => v / mean);
  out.sort();
  return out;
}
