import { quantileOf } from './descriptive.ts';

/** Consistency constant: 1.4826·MAD estimates σ for normally distributed data. */
export const MAD_TO_SD = 1.4826;

export function median(xs: readonly number[]): number {
  return quantileOf(xs, 0.5);
}

/** Median absolute deviation around the median (raw, not scaled by 1.4826). */
export function mad(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/**
 * Robust σ estimate: 1.4826·MAD. When more than half the values are identical (typical for
 * intermittent demand, mostly zeros) the MAD is 0, so fall back to 1.2533 × mean absolute
 * deviation (√(π/2), the same σ-consistency for normal data) rather than report zero spread.
 */
export function robustScale(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = MAD_TO_SD * mad(xs);
  if (s > 0) return s;
  const m = median(xs);
  let acc = 0;
  for (const x of xs) acc += Math.abs(x - m);
  return 1.2533 * (acc / xs.length);
}

/** Centred rolling median with a window of `window` points (shrunk at the edges), NaN skipped. */
export function rollingMedian(xs: readonly number[], window: number): number[] {
  const half = Math.floor(window / 2);
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const slice: number[] = [];
    for (let j = Math.max(0, i - half); j <= Math.min(xs.length - 1, i + half); j++) {
      const v = xs[j]!;
      if (Number.isFinite(v)) slice.push(v);
    }
    out.push(slice.length > 0 ? median(slice) : Number.NaN);
  }
  return out;
}
