import { describe, expect, it } from 'vitest';
import { series } from '../../bench/outlook-speed.bench.ts';
import { yearlyIndex, yearlyIndices } from '../../src/forecast/outlook-pool.ts';

/**
 * The yearly index the plain way: one weighted least-squares fit of x/centred-mean on
 * [1, sin kωt, cos kωt] per fit point, with Math.sin/cos and explicit products — what
 * yearlyIndices computes from shared harmonic sums.
 */
function direct(y: Float64Array, P: number, K: number, fitTo: number, total: number): Float64Array | null {
  if (fitTo < 2 * P) return null;
  const half = Math.floor(Math.round(P) / 2);
  const p = 2 * K + 1;
  const A = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  const row = (t: number) => {
    const r = [1];
    for (let k = 1; k <= K; k++)
      r.push(Math.sin((2 * Math.PI * k * t) / P), Math.cos((2 * Math.PI * k * t) / P));
    return r;
  };
  let used = 0;
  for (let t = 0; t < fitTo; t++) {
    let s = 0;
    let c = 0;
    for (let u = Math.max(0, t - half); u < Math.min(fitTo, t + half + 1); u++)
      if (!Number.isNaN(y[u]!)) {
        s += y[u]!;
        c++;
      }
    const lvl = c > 0 ? s / c : 0;
    if (Number.isNaN(y[t]!) || !(lvl > 0)) continue;
    const w = 0.5 ** ((fitTo - 1 - t) / (2 * P));
    const r = row(t);
    for (let u = 0; u < p; u++) {
      for (let v = 0; v < p; v++) A[u]![v]! += w * r[u]! * r[v]!;
      A[u]![p]! += (w * r[u]! * y[t]!) / lvl;
    }
    used++;
  }
  if (used < 2 * K + 4) return null;
  for (let c = 0; c < p; c++) {
    for (let r = c + 1; r < p; r++) {
      const f = A[r]![c]! / A[c]![c]!;
      for (let k = c; k <= p; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  const x = new Array<number>(p).fill(0);
  for (let r = p - 1; r >= 0; r--) {
    let s = A[r]![p]!;
    for (let k = r + 1; k < p; k++) s -= A[r]![k]! * x[k]!;
    x[r] = s / A[r]![r]!;
  }
  return Float64Array.from({ length: total }, (_, t) => {
    const r = row(t);
    // The intercept only absorbs the ratios' mean level: the index is 1 + the harmonics.
    let v = 1;
    for (let u = 1; u < p; u++) v += x[u]! * r[u]!;
    return Math.max(0.1, v);
  });
}

describe('yearlyIndices: shared harmonic sums for several fit points', () => {
  const y = Float64Array.from(series('seasonal', 42));
  // A few missing days, as stock-outs leave them.
  for (const t of [100, 101, 102, 700, 1000]) y[t] = Number.NaN;

  it('matches one plain weighted least-squares fit per fit point (daily, K = 5)', () => {
    const fits = [738, 829, 920, 1011, 1096];
    const got = yearlyIndices(y, 365.25, 5, fits, 1600);
    fits.forEach((f, i) => {
      const want = direct(y, 365.25, 5, f, 1600)!;
      const idx = got[i]!;
      expect(idx).not.toBeNull();
      let worst = 0;
      for (let t = 0; t < 1600; t++) worst = Math.max(worst, Math.abs(idx[t]! - want[t]!));
      expect(worst).toBeLessThan(1e-9);
    });
  });

  it('gives each fit point the index it gets alone, in any order, and null below two seasons', () => {
    const fits = [1096, 500, 800];
    const got = yearlyIndices(y, 365.25, 5, fits, 1300);
    expect(got[1]).toBeNull();
    expect(yearlyIndex(y, 365.25, 5, 500, 1300)).toBeNull();
    expect(got[0]).toEqual(yearlyIndex(y, 365.25, 5, 1096, 1300));
    expect(got[2]).toEqual(yearlyIndex(y, 365.25, 5, 800, 1300));
  });

  it('with a reach: each index but the last is the same up to reach past the next fit point, NaN after', () => {
    const fits = [738, 829, 920, 1011, 1096];
    const full = yearlyIndices(y, 365.25, 5, fits, 1600);
    const cut = yearlyIndices(y, 365.25, 5, fits, 1600, 90);
    fits.forEach((_, i) => {
      const to = i + 1 < fits.length ? fits[i + 1]! + 90 : 1600;
      expect(Array.from(cut[i]!.subarray(0, to))).toEqual(Array.from(full[i]!.subarray(0, to)));
      expect(cut[i]!.subarray(to).every(Number.isNaN)).toBe(true);
    });
    expect(cut[4]).toEqual(full[4]);
  });

  it('monthly periods (P = 12, K = 3) match the plain fit too', () => {
    const m = Float64Array.from(
      { length: 48 },
      (_, t) => 100 * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 12)) + (t % 5),
    );
    const got = yearlyIndex(m, 12, 3, 36, 60)!;
    const want = direct(m, 12, 3, 36, 60)!;
    for (let t = 0; t < 60; t++) expect(got[t]).toBeCloseTo(want[t]!, 9);
  });
});
