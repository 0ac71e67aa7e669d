/**
 * One-dimensional minimisation on [lo, hi]: a coarse grid first (SSE surfaces of smoothing
 * parameters are often multi-modal or flat), then golden-section search around the best cell.
 */
export function minimise1d(
  f: (x: number) => number,
  lo: number,
  hi: number,
  gridPoints = 12,
  tol = 1e-4,
): number {
  let bestX = lo;
  let bestF = Number.POSITIVE_INFINITY;
  const step = (hi - lo) / (gridPoints - 1);
  for (let i = 0; i < gridPoints; i++) {
    const x = lo + i * step;
    const v = f(x);
    if (v < bestF) {
      bestF = v;
      bestX = x;
    }
  }
  let a = Math.max(lo, bestX - step);
  let b = Math.min(hi, bestX + step);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const x = (a + b) / 2;
  return f(x) <= bestF ? x : bestX;
}

/**
 * Coordinate descent over a box, each coordinate by minimise1d; a few sweeps are enough for the
 * 2–4 smoothing parameters of Holt-Winters and TSB.
 */
export function minimiseBox(
  f: (x: number[]) => number,
  start: number[],
  bounds: readonly (readonly [number, number])[],
  sweeps = 3,
): number[] {
  const x = [...start];
  for (let s = 0; s < sweeps; s++) {
    for (let i = 0; i < x.length; i++) {
      const [lo, hi] = bounds[i]!;
      x[i] = minimise1d(
        (v) => {
          const y = [...x];
          y[i] = v;
          return f(y);
        },
        lo,
        hi,
        8,
        1e-3,
      );
    }
  }
  return x;
}
