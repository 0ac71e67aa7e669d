import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/forecast/dates.ts';
import {
  addPlannedDemand,
  adida,
  aggregateBuckets,
  detectGrain,
  forecastAtGrain,
  ses,
  toDailySeries,
  toMonthlySeries,
} from '../../src/forecast/index.ts';

const repeat = (pattern: number[], times: number) => Array.from({ length: times }, () => pattern).flat();

describe('ADIDA temporal aggregation', () => {
  it('aggregates to buckets aligned on the last day', () => {
    const { sums, offset } = aggregateBuckets([9, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2], 7);
    expect(offset).toBe(1);
    expect(sums).toEqual([7, 14]);
  });

  it('scales partly censored buckets and leaves fully censored ones missing', () => {
    const { sums } = aggregateBuckets(
      [2, Number.NaN, 2, 2, 2, 2, 2, ...new Array<number>(7).fill(Number.NaN)],
      7,
    );
    expect(sums[0]).toBeCloseTo(14, 12);
    expect(sums[1]).toBeNaN();
  });

  it('even disaggregation spreads the weekly forecast over days', () => {
    const xs = repeat([0, 0, 0, 0, 0, 0, 7], 10);
    expect(
      adida(ses({ alpha: 0.2 }))
        .fit(xs)
        .forecast(7),
    ).toEqual(new Array<number>(7).fill(1));
  });

  it('profile disaggregation keeps the weekday pattern', () => {
    const xs = repeat([0, 0, 0, 0, 0, 0, 7], 10);
    const f = adida(ses({ alpha: 0.2 }), { disaggregation: 'profile' })
      .fit(xs)
      .forecast(10);
    for (const [i, v] of f.entries()) expect(v).toBeCloseTo(i % 7 === 6 ? 7 : 0, 10);
  });
});

describe('grain detection and monthly forecasting', () => {
  const monthlyDates: string[] = [];
  const monthlyValues: number[] = [];
  for (let m = 0; m < 18; m++) {
    const y = 2023 + Math.floor(m / 12);
    const mm = String((m % 12) + 1).padStart(2, '0');
    const days = new Date(Date.UTC(y, (m % 12) + 1, 0)).getUTCDate();
    monthlyDates.push(`${y}-${mm}-28`);
    monthlyValues.push(10 * days);
  }

  it('detects monthly reporting (one non-zero record per month)', () => {
    const g = detectGrain(monthlyDates, monthlyValues);
    expect(g.grain).toBe('monthly');
    expect(g.singleRecordShare).toBe(1);
  });

  it('detects daily usage', () => {
    const dates = Array.from({ length: 120 }, (_, i) => addDays('2024-01-01', i));
    expect(
      detectGrain(
        dates,
        dates.map((_, i) => (i % 3 === 0 ? 0 : 4)),
      ).grain,
    ).toBe('daily');
  });

  it('forecasts a monthly-reported series as a per-day rate', () => {
    const f = forecastAtGrain(monthlyDates, monthlyValues, 28);
    expect(f.grain).toBe('monthly');
    expect(f.daily).toHaveLength(28);
    expect(f.dailyRate).toBeGreaterThan(9.5);
    expect(f.dailyRate).toBeLessThan(10.5);
  });

  it('daily series go through model selection', () => {
    const dates = Array.from({ length: 200 }, (_, i) => addDays('2024-01-01', i));
    const f = forecastAtGrain(
      dates,
      dates.map(() => 6),
      14,
    );
    expect(f.grain).toBe('daily');
    for (const v of f.daily) expect(v).toBeCloseTo(6, 6);
  });

  it('builds daily and monthly series from dated records', () => {
    expect(toDailySeries(['2024-01-03', '2024-01-01', '2024-01-03'], [1, 2, 3])).toEqual({
      start: '2024-01-01',
      values: [2, 0, 4],
    });
    expect(toMonthlySeries(['2024-11-05', '2025-01-02', '2024-11-20'], [1, 2, 3])).toEqual({
      months: ['2024-11', '2024-12', '2025-01'],
      totals: [4, 0, 2],
    });
  });
});

describe('planned demand', () => {
  it('adds scheduled procedure demand day by day', () => {
    expect(addPlannedDemand([1, 1, 1], [0, 2])).toEqual([1, 3, 1]);
    expect(addPlannedDemand([1, 1], [5, 5, 5])).toEqual([6, 6]);
    expect(addPlannedDemand([1, 1], [Number.NaN, -3])).toEqual([1, 1]);
  });
});
