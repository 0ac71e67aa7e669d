import { describe, expect, it } from 'vitest';
import {
  mad,
  mean,
  median,
  mulberry32,
  negBinCdf,
  negBinPmf,
  negBinQuantile,
  normalCdf,
  normalInv,
  poissonCdf,
  poissonQuantile,
  robustScale,
  variance,
} from '../../src/stats/index.ts';

describe('descriptive and robust statistics', () => {
  it('mean and sample/population variance', () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(variance([2, 4, 4, 4, 5, 5, 7, 9], 'population')).toBe(4);
    expect(variance([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(32 / 7, 12);
    expect(mean([])).toBeNaN();
  });

  it('median and MAD ignore the outlier', () => {
    const xs = [1, 2, 3, 4, 1000];
    expect(median(xs)).toBe(3);
    expect(mad(xs)).toBe(1);
    expect(robustScale(xs)).toBeCloseTo(1.4826, 10);
  });

  it('robustScale falls back to mean absolute deviation when MAD is 0', () => {
    const xs = [0, 0, 0, 0, 0, 0, 4, 8];
    expect(mad(xs)).toBe(0);
    expect(robustScale(xs)).toBeCloseTo(1.2533 * (12 / 8), 10);
  });
});

describe('normal distribution', () => {
  it('inverse cdf matches tables', () => {
    expect(normalInv(0.95)).toBeCloseTo(1.6449, 4);
    expect(normalInv(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalInv(0.99)).toBeCloseTo(2.326348, 6);
    expect(normalInv(0.5)).toBe(0);
    expect(normalInv(0.001)).toBeCloseTo(-3.090232, 6);
  });

  it('cdf matches tables and inverts', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 12);
    for (const p of [1e-6, 0.01, 0.2, 0.5, 0.8, 0.98, 0.999999])
      expect(normalCdf(normalInv(p))).toBeCloseTo(p, 10);
  });
});

describe('Poisson and negative binomial', () => {
  it('Poisson cdf and quantile by hand', () => {
    // P(X ≤ 2 | λ = 3) = e^−3 (1 + 3 + 9/2)
    expect(poissonCdf(2, 3)).toBeCloseTo(8.5 * Math.exp(-3), 12);
    // cdf(5) = 0.9161, cdf(6) = 0.9665 → the 95% quantile is 6
    expect(poissonQuantile(0.95, 3)).toBe(6);
    expect(poissonQuantile(0.9, 3)).toBe(5);
    expect(poissonCdf(-1, 3)).toBe(0);
  });

  it('Poisson is exact for large means (no underflow)', () => {
    const q = poissonQuantile(0.95, 1000);
    expect(poissonCdf(q, 1000)).toBeGreaterThanOrEqual(0.95);
    expect(poissonCdf(q - 1, 1000)).toBeLessThan(0.95);
    expect(q).toBeGreaterThan(1045);
    expect(q).toBeLessThan(1060);
  });

  it('negative binomial from mean and variance', () => {
    // mean 3, variance 6 → p = 0.5, r = 3: P(0..2) = 1/8 + 3/16 + 6/32 = 1/2
    expect(negBinCdf(2, 3, 6)).toBeCloseTo(0.5, 12);
    expect(negBinPmf(0, 3, 6) + negBinPmf(1, 3, 6) + negBinPmf(2, 3, 6)).toBeCloseTo(0.5, 12);
    const q = negBinQuantile(0.95, 3, 6);
    expect(negBinCdf(q, 3, 6)).toBeGreaterThanOrEqual(0.95);
    expect(negBinCdf(q - 1, 3, 6)).toBeLessThan(0.95);
  });

  it('negative binomial falls back to Poisson when variance ≤ mean', () => {
    expect(negBinCdf(4, 3, 2)).toBe(poissonCdf(4, 3));
    expect(negBinQuantile(0.95, 3, 3)).toBe(poissonQuantile(0.95, 3));
  });
});

describe('mulberry32', () => {
  it('is reproducible and uniform-ish', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean(xs)).toBeCloseTo(0.5, 1);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });
});
