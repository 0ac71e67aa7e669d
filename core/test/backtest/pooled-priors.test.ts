import { describe, expect, it } from 'vitest';
import type { BacktestSeriesInput } from '../../src/backtest/backtest-types.ts';
import { withPooledPriors } from '../../src/backtest/pooled-priors.ts';
import { addDays } from '../../src/dates/index.ts';

const START = '2024-01-01';
/** `days` of demand at `rate` a day from `from` (index), unknown before. */
function series(days: number, from: number, rate: (i: number) => number): BacktestSeriesInput {
  const demand = Array.from({ length: days }, (_, i) => (i < from ? null : rate(i)));
  return {
    startDate: START,
    demand,
    balance: demand.map((d) => (d === null ? null : 100)),
    stockoutDays: demand.map(() => false),
    prior: { dailyRate: 9, weightDays: 28, source: 'template' },
  };
}

describe('withPooledPriors: the prior the engine would have had at each as-of date', () => {
  const established = series(800, 0, () => 4);
  const newcomer = series(800, 600, () => 1);
  const [, fresh] = withPooledPriors([established, newcomer]);

  it('leans a new location on the same item’s other locations, from their past only', () => {
    const p = fresh!.priorAt!(addDays(START, 650));
    expect(p?.source).toBe('pooled');
    expect(p?.dailyRate).toBeCloseTo(4, 5);
    // The other location's demand after the date does not count.
    const changed = { ...established, demand: established.demand.map((d, i) => (i >= 650 ? 50 : d)) };
    const [, again] = withPooledPriors([changed, newcomer]);
    expect(again!.priorAt!(addDays(START, 650))?.dailyRate).toBeCloseTo(4, 5);
  });

  it('falls back to the typical usage while no other location has 90 days, and needs none after a year', () => {
    const [, early] = withPooledPriors([series(800, 0, () => 4), series(800, 10, () => 1)]);
    expect(early!.priorAt!(addDays(START, 40))).toMatchObject({ source: 'template', dailyRate: 9 });
    expect(fresh!.priorAt!(addDays(START, 600 + 365))).toBeNull();
  });
});
