/**
 * (Weighted) least squares by normal equations and Gaussian elimination with partial pivoting.
 * Only used for a handful of regressors (Fourier terms for yearly seasonality), where this is
 * accurate and allocation-free enough; not a general-purpose solver.
 */
export function ols(
  rows: readonly (readonly number[])[],
  y: readonly number[],
  weights?: readonly number[],
): number[] | null {
  const p = rows[0]?.length ?? 0;
  if (p === 0 || rows.length < p) return null;
  const a: number[][] = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const w = weights ? weights[i]! : 1;
    const yi = y[i]!;
    for (let j = 0; j < p; j++) {
      const rj = r[j]! * w;
      const aj = a[j]!;
      for (let k = j; k < p; k++) aj[k] = aj[k]! + rj * r[k]!;
      aj[p] = aj[p]! + rj * yi;
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) a[j]![k] = a[k]![j]!;
  return solve(a, p);
}

function solve(a: number[][], p: number): number[] | null {
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    if (Math.abs(a[piv]![c]!) < 1e-12) return null;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    const rowC = a[c]!;
    for (let r = c + 1; r < p; r++) {
      const row = a[r]!;
      const f = row[c]! / rowC[c]!;
      for (let k = c; k <= p; k++) row[k] = row[k]! - f * rowC[k]!;
    }
  }
  const x = new Array<number>(p).fill(0);
  for (let r = p - 1; r >= 0; r--) {
    const row = a[r]!;
    let s = row[p]!;
    for (let k = r + 1; k < p; k++) s -= row[k]! * x[k]!;
    x[r] = s / row[r]!;
  }
  return x;
}
