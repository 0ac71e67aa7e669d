import { describe, expect, it } from 'vitest';
import {
  backtest,
  detectAnomalies,
  horizonSumErrorSd,
  mase,
  naive,
  rmsse,
  selectModel,
  ses,
} from '../../src/forecast/index.ts';
import { mulberry32 } from '../../src/stats/index.ts';

describe('scaled error metrics', () => {
  // in-sample [1, 3, 2, 4]: naive one-step errors 2, 1, 2 → MAE 5/3, MSE 3
  const insample = [1, 3, 2, 4];
  const actual = [5, 3];

  it('MASE of the naive forecast (4, 4) = 1 / (5/3) = 0.6', () => {
    expect(mase(actual, naive().fit(insample).forecast(2), insample)).toBeCloseTo(0.6, 12);
  });

  it('RMSSE of the naive forecast = √(1 / 3)', () => {
    expect(rmsse(actual, naive().fit(insample).forecast(2), insample)).toBeCloseTo(Math.sqrt(1 / 3), 12);
  });

  it('skips missing actuals; constant in-sample gives 0 or ∞', () => {
    expect(mase([5, Number.NaN], [4, 4], insample)).toBeCloseTo(0.6, 12);
    expect(rmsse([2, 2], [2, 2], [2, 2, 2])).toBe(0);
    expect(rmsse([3, 2], [2, 2], [2, 2, 2])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('rolling-origin backtest', () => {
  it('places origins so the last window ends on the last day', () => {
    const xs = Array.from({ length: 100 }, (_, t) => t % 5);
    const r = backtest(xs, [naive(), ses({ alpha: 1, name: 'ses1' })], { horizon: 10, origins: 3, step: 10 });
    expect(r.origins).toEqual([70, 80, 90]);
    expect(r.models[0]!.scores).toHaveLength(3);
    // SES with α = 1 is the naive forecast: identical scores.
    expect(r.models[1]!.score).toBeCloseTo(r.models[0]!.score, 12);
  });

  it('drops origins with too little training data', () => {
    const r = backtest(new Array<number>(40).fill(1), [naive()], { horizon: 10, origins: 5, minTrain: 15 });
    expect(r.origins).toEqual([20, 30]);
  });

  it('horizonSumErrorSd is 0 for a perfectly forecastable series', () => {
    expect(horizonSumErrorSd(new Array<number>(200).fill(3), ses(), 8, { origins: 10 })).toBe(0);
  });
});

describe('selectModel', () => {
  const r = mulberry32(3);
  const week = [10, 12, 11, 13, 20, 4, 2];
  const seasonal = Array.from({ length: 7 * 30 }, (_, t) => week[t % 7]! + (r() - 0.5) * 2);

  it('picks a weekly-aware model for a weekly pattern and reports its score', () => {
    const sel = selectModel(seasonal, { horizon: 14, origins: 4 });
    expect(sel.class).toBe('smooth');
    expect(sel.modelName).not.toBe('ses');
    expect(sel.scores[0]!.name).toBe(sel.modelName);
    expect(sel.score).toBe(sel.scores[0]!.score);
    const f = sel.forecast(7);
    for (const [i, v] of f.entries())
      expect(Math.abs(v - week[(seasonal.length + i) % 7]!)).toBeLessThan(2.5);
    expect(sel.residualSd).toBeGreaterThan(0);
  });

  it('uses the intermittent pool for intermittent demand', () => {
    const xs = Array.from({ length: 300 }, (_, t) => (t % 4 === 0 ? 3 : 0));
    const sel = selectModel(xs, { horizon: 28, origins: 3 });
    expect(sel.class).toBe('intermittent');
    expect(sel.forecast(1)[0]).toBeGreaterThan(0.5);
    expect(sel.forecast(1)[0]).toBeLessThan(1);
  });

  it('falls back to SES / SBA when the history is too short to backtest', () => {
    const sel = selectModel([3, 4, 5, 4], { horizon: 28 });
    expect(sel.modelName).toBe('ses');
    expect(sel.score).toBeNaN();
  });
});

describe('anomaly detection', () => {
  const r = mulberry32(11);
  const xs = Array.from({ length: 120 }, () => 20 + (r() - 0.5) * 4);
  xs[60] = 80;
  xs[118] = 70;

  it('flags the spikes by robust residual z-score', () => {
    const a = detectAnomalies(xs);
    expect(a.indices).toEqual([60, 118]);
    expect(a.scores[60]).toBeGreaterThan(3.5);
  });

  it('fit option excludes flagged points', () => {
    const plain = ses({ alpha: 0.3 }).fit(xs).forecast(1)[0]!;
    const robust = ses({ alpha: 0.3 }).fit(xs, { excludeAnomalies: true }).forecast(1)[0]!;
    expect(plain).toBeGreaterThan(30);
    expect(Math.abs(robust - 20)).toBeLessThan(2);
  });

  it('does not flag ordinary non-zero days of an intermittent series', () => {
    const sparse = Array.from({ length: 200 }, (_, t) => (t % 3 === 0 ? 2 + (t % 2) : 0));
    expect(detectAnomalies(sparse).indices).toEqual([]);
  });
});
