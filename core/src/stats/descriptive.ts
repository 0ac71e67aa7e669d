/**
 * Plain descriptive statistics over finite numbers. Callers that use NaN for "missing" (censored
 * stockout days, excluded anomalies) pass the output of `finite()` so a gap never poisons a mean.
 */

/** The finite values of `xs`, in order (drops NaN / ±Infinity used as missing markers). */
export function finite(xs: readonly number[]): number[] {
  const out: number[] = [];
  for (const x of xs) if (Number.isFinite(x)) out.push(x);
  return out;
}

export function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** Arithmetic mean; NaN for an empty array so a missing history is never mistaken for zero demand. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  return sum(xs) / xs.length;
}

/**
 * Variance. `sample` (default) divides by n − 1, the unbiased estimate used for demand and
 * lead-time spread; population divides by n. Fewer than two values (one for population) → NaN.
 */
export function variance(xs: readonly number[], kind: 'sample' | 'population' = 'sample'): number {
  const n = xs.length;
  const dof = kind === 'sample' ? n - 1 : n;
  if (dof <= 0) return Number.NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return ss / dof;
}

export function standardDeviation(xs: readonly number[], kind: 'sample' | 'population' = 'sample'): number {
  return Math.sqrt(variance(xs, kind));
}

/** Squared coefficient of variation (population variance / mean²), as Syntetos–Boylan use it. */
export function cv2(xs: readonly number[]): number {
  const m = mean(xs);
  if (!(m !== 0)) return Number.NaN;
  return variance(xs, 'population') / (m * m);
}

/** Linear-interpolated quantile (type 7, the R/NumPy default) of unsorted data; p in [0, 1]. */
export function quantileOf(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = Math.min(Math.max(p, 0), 1) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
