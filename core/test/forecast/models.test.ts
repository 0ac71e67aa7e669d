import { describe, expect, it } from 'vitest';
import {
  croston,
  holtWinters,
  naive,
  sba,
  seasonalNaive,
  ses,
  tsb,
  weekdayProfile,
  yearlyFourier,
} from '../../src/forecast/index.ts';
import { mulberry32 } from '../../src/stats/index.ts';

const repeat = (pattern: number[], times: number) => Array.from({ length: times }, () => pattern).flat();
const noisy = (n: number, f: (t: number) => number, sd: number, seed = 7) => {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, t) => Math.max(0, f(t) + sd * (r() + r() + r() - 1.5) * 2));
};

describe('naive and seasonal naive', () => {
  it('naive repeats the last value', () => {
    const fit = naive().fit([3, 5, 8]);
    expect(fit.forecast(3)).toEqual([8, 8, 8]);
    expect(fit.fitted).toEqual([Number.NaN, 3, 5]);
  });

  it('seasonal naive repeats last week', () => {
    const week = [1, 2, 3, 4, 5, 6, 7];
    expect(seasonalNaive(7).fit(repeat(week, 3)).forecast(9)).toEqual([...week, 1, 2]);
  });
});

describe('simple exponential smoothing', () => {
  it('alpha = 1 equals the naive forecast', () => {
    const xs = [4, 9, 2, 7, 7, 1, 5];
    expect(ses({ alpha: 1 }).fit(xs).forecast(4)).toEqual(naive().fit(xs).forecast(4));
    expect(ses({ alpha: 1 }).fit(xs).fitted.slice(1)).toEqual(naive().fit(xs).fitted.slice(1));
  });

  it('hand-computed recursion (ℓ0 = mean of first values)', () => {
    // ℓ0 = 20; 20 + .5(10 − 20) = 15; 15 + .5(20 − 15) = 17.5; 17.5 + .5(30 − 17.5) = 23.75
    const fit = ses({ alpha: 0.5 }).fit([10, 20, 30]);
    expect(fit.forecast(2)).toEqual([23.75, 23.75]);
    expect(fit.fitted).toEqual([20, 15, 17.5]);
  });

  it('optimised alpha is in (0, 1] and tracks a level shift', () => {
    const xs = [...new Array<number>(30).fill(10), ...new Array<number>(30).fill(20)];
    const fit = ses().fit(xs);
    expect(fit.params.alpha).toBeGreaterThan(0.5);
    expect(fit.forecast(1)[0]).toBeCloseTo(20, 3);
  });
});

describe('Croston family', () => {
  it('Croston on a constant series forecasts the constant', () => {
    expect(croston().fit(new Array<number>(20).fill(5)).forecast(2)).toEqual([5, 5]);
  });

  it('Croston on regular intermittent demand: size / interval', () => {
    const fit = croston({ alpha: 0.1 }).fit(repeat([0, 0, 4], 10));
    expect(fit.forecast(1)[0]).toBeCloseTo(4 / 3, 12);
  });

  it('SBA = Croston × (1 − α/2)', () => {
    const xs = [0, 3, 0, 0, 7, 0, 1, 0, 0, 0, 5, 2, 0, 0, 4];
    for (const alpha of [0.05, 0.1, 0.3]) {
      const c = croston({ alpha }).fit(xs).forecast(1)[0]!;
      expect(sba({ alpha }).fit(xs).forecast(1)[0]).toBeCloseTo(c * (1 - alpha / 2), 12);
    }
  });

  it('TSB decays after demand stops; Croston does not', () => {
    const xs = [...repeat([0, 5], 20), ...new Array<number>(30).fill(0)];
    const c = croston({ alpha: 0.1 }).fit(xs).forecast(1)[0]!;
    const t = tsb({ alpha: 0.1, beta: 0.1 }).fit(xs).forecast(1)[0]!;
    expect(c).toBeGreaterThan(2);
    expect(t).toBeLessThan(0.2);
  });

  it('no demand at all forecasts 0', () => {
    expect(croston().fit([0, 0, 0]).forecast(2)).toEqual([0, 0]);
  });
});

describe('Holt-Winters', () => {
  it('reproduces an exact weekly pattern', () => {
    const week = [1, 2, 3, 4, 5, 6, 7];
    const f = holtWinters().fit(repeat(week, 8)).forecast(14);
    for (const [i, v] of f.entries()) expect(v).toBeCloseTo(week[i % 7]!, 6);
  });

  it('beats SES on a noisy weekly pattern', () => {
    const week = [10, 12, 11, 13, 20, 4, 2];
    const xs = noisy(7 * 40, (t) => week[t % 7]!, 1);
    const hw = holtWinters().fit(xs).residualSd;
    expect(hw).toBeLessThan(ses().fit(xs).residualSd * 0.5);
    const wp = weekdayProfile(ses()).fit(xs).forecast(7);
    for (const [i, v] of wp.entries()) expect(v).toBeCloseTo(week[i % 7]!, -0.5);
  });

  it('damped trend option follows a trend', () => {
    const xs = Array.from({ length: 70 }, (_, t) => 10 + 0.5 * t + [0, 1, 0, -1, 0, 1, -1][t % 7]!);
    const f = holtWinters({ trend: true }).fit(xs).forecast(7);
    expect(f[6]).toBeGreaterThan(xs[69]!);
  });
});

describe('yearly seasonality (Fourier terms)', () => {
  const yearly = (t: number) => 100 + 30 * Math.sin((2 * Math.PI * t) / 365.25);

  it('is used from two years of history and follows the annual wave', () => {
    const xs = noisy(3 * 365, yearly, 5);
    const n = xs.length;
    const f = yearlyFourier(ses({ alpha: 0.05 }))
      .fit(xs)
      .forecast(90);
    const truth = Array.from({ length: 90 }, (_, k) => yearly(n + k));
    const errY = f.reduce((s, v, k) => s + (v - truth[k]!) ** 2, 0);
    const fs = ses({ alpha: 0.05 }).fit(xs).forecast(90);
    const errS = fs.reduce((s, v, k) => s + (v - truth[k]!) ** 2, 0);
    expect(errY).toBeLessThan(errS / 4);
    expect(holtWinters({ yearly: 'fourier' }).fit(xs).params.yearlyAmp1).toBeGreaterThan(20);
  });

  it('falls back to the base model with less than two years', () => {
    const xs = noisy(400, yearly, 5);
    expect(
      yearlyFourier(ses({ alpha: 0.1 }))
        .fit(xs)
        .forecast(3),
    ).toEqual(ses({ alpha: 0.1 }).fit(xs).forecast(3));
  });

  it('multiplicative mode scales the wave with the level', () => {
    const xs = noisy(3 * 365, (t) => (50 + t / 20) * (1 + 0.5 * Math.sin((2 * Math.PI * t) / 365.25)), 2);
    const fit = yearlyFourier(ses({ alpha: 0.05 }), { mode: 'multiplicative' }).fit(xs);
    expect(fit.params.yearlyAmp1).toBeGreaterThan(0.35);
    expect(fit.params.yearlyAmp1).toBeLessThan(0.65);
  });
});

describe('censoring (stockout days)', () => {
  const xs = new Array<number>(60).fill(10);
  for (let t = 50; t < 60; t++) xs[t] = 0; // stocked out: recorded issues 0
  const censored = xs.map((_, t) => t >= 50);

  it('SES treats censored days as missing so the level stays up', () => {
    expect(ses({ alpha: 0.3 }).fit(xs).forecast(1)[0]).toBeLessThan(1);
    expect(ses({ alpha: 0.3 }).fit(xs, { censored }).forecast(1)[0]).toBeCloseTo(10, 10);
  });

  it('Croston, TSB and Holt-Winters honour the mask too', () => {
    expect(croston().fit(xs, { censored }).forecast(1)[0]).toBeCloseTo(10, 10);
    expect(tsb({ alpha: 0.2, beta: 0.2 }).fit(xs, { censored }).forecast(1)[0]).toBeCloseTo(10, 10);
    expect(holtWinters().fit(xs, { censored }).forecast(1)[0]).toBeCloseTo(10, 6);
  });

  it('explicit exclusions work like censoring', () => {
    expect(
      ses({ alpha: 0.3 })
        .fit(xs, { exclude: [50, 51, 52, 53, 54, 55, 56, 57, 58, 59] })
        .forecast(1)[0],
    ).toBeCloseTo(10, 10);
  });
});
