import { defineModel } from './define-model.ts';
import { residualSdOf } from './prepare.ts';
import type { Model } from './types.ts';

export interface AdidaOptions {
  /** Days per bucket; 7 = weeks. */
  readonly bucket?: number;
  /**
   * How a bucket forecast is spread back over its days: 'even' (bucket/k per day) or 'profile'
   * (each position's share of demand over the last `profileWindow` days — the weekday pattern
   * when bucket = 7, since buckets are aligned to end on the last day of history).
   */
  readonly disaggregation?: 'even' | 'profile';
  readonly profileWindow?: number;
  readonly name?: string;
}

/** Sums of consecutive k-day buckets, aligned so the last bucket ends on the last day. */
export function aggregateBuckets(xs: readonly number[], k: number): { sums: number[]; offset: number } {
  const offset = xs.length % k;
  const sums: number[] = [];
  for (let start = offset; start + k <= xs.length; start += k) {
    let s = 0;
    let n = 0;
    for (let t = start; t < start + k; t++) {
      if (Number.isFinite(xs[t]!)) {
        s += xs[t]!;
        n++;
      }
    }
    // A partly censored bucket is scaled up from its observed days; a fully censored one is missing.
    sums.push(n === 0 ? Number.NaN : (s * k) / n);
  }
  return { sums, offset };
}

/** Share of demand per bucket position over the recent window; even shares if there is none. */
export function positionProfile(xs: readonly number[], k: number, offset: number, window: number): number[] {
  const sums = new Array<number>(k).fill(0);
  const counts = new Array<number>(k).fill(0);
  for (let t = Math.max(offset, xs.length - window); t < xs.length; t++) {
    const x = xs[t]!;
    if (!Number.isFinite(x)) continue;
    const j = (((t - offset) % k) + k) % k;
    sums[j] = sums[j]! + x;
    counts[j] = counts[j]! + 1;
  }
  const means = sums.map((s, j) => (counts[j]! > 0 ? s / counts[j]! : 0));
  const total = means.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return new Array<number>(k).fill(1 / k);
  return means.map((m) => m / total);
}

/**
 * ADIDA temporal aggregation: sum days into non-overlapping buckets, forecast the bucket series
 * with `base`, and disaggregate back to days. Aggregation lowers intermittency and noise, so the
 * base model sees a smoother signal; it pays off on sparse daily series.
 */
export function adida(base: Model, options: AdidaOptions = {}): Model {
  const k = options.bucket ?? 7;
  const mode = options.disaggregation ?? 'even';
  const window = options.profileWindow ?? 364;
  const name = options.name ?? `adida${k}(${base.name})${mode === 'profile' ? '+profile' : ''}`;
  return defineModel(name, (xs) => {
    const { sums, offset } = aggregateBuckets(xs, k);
    const fit = base.fit(sums);
    const share =
      mode === 'profile' ? positionProfile(xs, k, offset, window) : new Array<number>(k).fill(1 / k);
    const fitted = new Array<number>(xs.length).fill(Number.NaN);
    for (let b = 0; b < sums.length; b++) {
      const f = fit.fitted[b]!;
      for (let j = 0; j < k; j++) fitted[offset + b * k + j] = f * share[j]!;
    }
    return {
      name,
      forecast(h: number): number[] {
        const buckets = fit.forecast(Math.ceil(h / k));
        return Array.from({ length: h }, (_, i) => Math.max(0, buckets[Math.floor(i / k)]! * share[i % k]!));
      },
      residualSd: residualSdOf(xs, fitted),
      fitted,
      params: { ...fit.params, bucket: k },
    };
  });
}
