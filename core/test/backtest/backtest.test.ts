import { describe, expect, it } from 'vitest';
import { randomClinicSettings, simulateClinic } from '../../bench/clinic-simulator.ts';
import {
  averageMonthlyConsumption,
  backtestItemLocation,
  classifyOutcome,
  leadTimeAt,
} from '../../src/backtest/backtest-item-location.ts';
import type {
  BacktestParameters,
  BacktestRow,
  BacktestSeriesInput,
} from '../../src/backtest/backtest-types.ts';
import {
  averagePrecision,
  brierScore,
  calibrationBins,
  recallAtPrecision,
} from '../../src/backtest/scores.ts';
import { scoredRows, summariseBacktest } from '../../src/backtest/summarise.ts';
import { addDays, daysBetween } from '../../src/forecast/dates.ts';

const params: BacktestParameters = {
  from: '2021-01-01',
  to: '2022-06-01',
  step: 'monthly',
  horizonDays: 30,
  leadTime: { mode: 'recorded' },
};

/** A monthly-reporting clinic on a synthetic demand series (no data file needed). */
function clinic(seed = 7): BacktestSeriesInput {
  const monthly = Array.from(
    { length: 36 },
    (_, k) => [6, 0, 9, 3, 12, 4, 0, 7, 5, 10, 2, 8][k % 12]! + (k % 5),
  );
  return simulateClinic({
    seed,
    startDate: '2020-01-01',
    demand: { monthly },
    itemCode: 'GLOVE-M',
    siteCode: 'S1',
    ...randomClinicSettings(seed),
  }).series;
}

describe('backtestItemLocation', () => {
  it('scores forecasts only on periods with stock throughout (stocked-out issues understate demand)', () => {
    const s = clinic(3);
    const rows = backtestItemLocation(s, params);
    const withErrors = rows.filter((r) => r.errors.engine.mase !== null);
    expect(withErrors.length).toBeGreaterThan(0);
    // Mark every day out of stock: no period is fit to score any forecast on, engine or baseline.
    const allOut = backtestItemLocation({ ...s, stockoutDays: s.stockoutDays!.map(() => true) }, params);
    for (const r of allOut) {
      expect(r.errors.engine.mase).toBeNull();
      expect(r.errors.naive.mase).toBeNull();
      expect(r.errors.mean3.mase).toBeNull();
    }
  });

  it('rows carry the codes, the position from the ledger, the lead time and p for both horizons', () => {
    const s = clinic();
    const rows = backtestItemLocation(s, params);
    expect(rows.length).toBe(18);
    for (const r of rows) {
      expect(r.itemCode).toBe('GLOVE-M');
      const a = daysBetween(s.startDate, r.asOf);
      expect(r.position).toBe(s.balance[a - 1] ?? null);
      expect(r.leadTimeDays).toBeGreaterThan(0);
      if (r.position === null) expect(r.pWithinHorizon).toBeNull();
      else if (r.position <= 0) {
        expect(r.pWithinHorizon).toBe(1);
        expect(r.pBeforeReceipt).toBe(1);
        expect(r.outcome).toBe('already_out');
        expect(r.alertRaised).toBe(true);
      } else {
        expect(r.pWithinHorizon).not.toBeNull();
        expect(r.pWithinHorizon!).toBeGreaterThanOrEqual(0);
        expect(r.pWithinHorizon!).toBeLessThanOrEqual(1);
      }
    }
  });

  it('uses only the past: changing data after an as-of date changes outcomes, never its p or forecast', () => {
    const s = clinic(11);
    const cut = '2021-09-01';
    const c = daysBetween(s.startDate, cut);
    // Everything from the cut on is rewritten: demand ×5, balances to zero, stock-out days, orders and lead times.
    const changed: BacktestSeriesInput = {
      ...s,
      demand: s.demand.map((d, i) => (i >= c && d !== null ? d * 5 + 3 : d)),
      balance: s.balance.map((b, i) => (i >= c ? 0 : b)),
      stockoutDays: s.stockoutDays!.map((x, i) => (i >= c ? true : x)),
      leadTimes: s.leadTimes!.map((l) => (l.receiptDate >= cut ? { ...l, days: l.days + 40 } : l)),
      orders: s.orders!.filter((o) => o.orderDate < cut),
    };
    const before = backtestItemLocation(s, params);
    const after = backtestItemLocation(changed, params);
    let sameRows = 0;
    for (let k = 0; k < before.length; k++) {
      const x = before[k]!;
      const y = after[k]!;
      if (x.asOf > cut) continue;
      expect(y.asOf).toBe(x.asOf);
      expect(y.position).toEqual(x.position);
      expect(y.pWithinHorizon).toEqual(x.pWithinHorizon);
      expect(y.pBeforeReceipt).toEqual(x.pBeforeReceipt);
      expect(y.model).toBe(x.model);
      expect(y.leadTimeDays).toBe(x.leadTimeDays);
      expect(y.forecast.map((f) => [f.mean, f.quantiles])).toEqual(
        x.forecast.map((f) => [f.mean, f.quantiles]),
      );
      expect(y.monthsOfStock).toEqual(x.monthsOfStock);
      sameRows++;
    }
    expect(sameRows).toBe(9);
    // The as-of date at the cut looks into the rewritten days: same p, different outcome.
    const atCut = after.find((r) => r.asOf === cut)!;
    expect(atCut.position).toBeGreaterThan(0);
    expect(atCut.outcome).toBe('new_stockout');
    expect(before.find((r) => r.asOf === cut)!.outcome).not.toBe('new_stockout');
    // And rows after the cut do see the new data.
    const late = after.filter((r) => r.asOf > cut);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((r) => r.position === 0 && r.outcome === 'already_out')).toBe(true);
  });

  it('the lead time is what was known at the as-of date: observations received before it, the terms then', () => {
    const s: BacktestSeriesInput = {
      startDate: '2021-01-01',
      demand: [],
      balance: [],
      terms: [
        { from: '2021-01-01', nominalDays: 10 },
        { from: '2021-06-01', nominalDays: 30 },
      ],
      leadTimes: [
        { orderDate: '2021-01-05', receiptDate: '2021-01-25', days: 20 },
        { orderDate: '2021-07-01', receiptDate: '2021-08-20', days: 50 },
      ],
    };
    const early = leadTimeAt(s, params, '2021-01-20');
    expect(early.mean).toBe(10);
    const mid = leadTimeAt(s, params, '2021-03-01');
    expect(mid.mean).toBeCloseTo((3 * 10 + 20) / 4, 10);
    const late = leadTimeAt(s, params, '2021-09-01');
    expect(late.mean).toBeCloseTo((3 * 30 + 20 + 50) / 5, 10);
    expect(leadTimeAt(s, { ...params, leadTime: { mode: 'fixed', days: 31 } }, '2021-09-01')).toEqual({
      mean: 31,
      sd: 0,
    });
  });
});

describe('outcome classification', () => {
  const base = (balance: (number | null)[], stockoutDays?: boolean[]): BacktestSeriesInput => ({
    startDate: '2021-01-01',
    demand: balance.map(() => 1),
    balance,
    ...(stockoutDays ? { stockoutDays } : {}),
  });
  it('already out, new stock-out (balance or recorded day), none, unknown', () => {
    const ok = Array.from({ length: 40 }, () => 5);
    expect(classifyOutcome(base(ok), 5, 0, 30)).toBe('already_out');
    expect(classifyOutcome(base(ok), 5, -2, 30)).toBe('already_out');
    expect(classifyOutcome(base(ok), 5, 5, 30)).toBe('none');
    expect(classifyOutcome(base(ok), 5, null, 30)).toBe('unknown');
    const hits = ok.map((b, i) => (i === 20 ? 0 : b));
    expect(classifyOutcome(base(hits), 5, 5, 30)).toBe('new_stockout');
    // Outside the horizon: not a stock-out of this row.
    expect(classifyOutcome(base(hits), 5, 5, 10)).toBe('none');
    const flagged = ok.map((_, i) => i === 12);
    expect(classifyOutcome(base(ok, flagged), 5, 5, 30)).toBe('new_stockout');
    const gap = ok.map((b, i) => (i === 15 ? null : b));
    expect(classifyOutcome(base(gap), 5, 5, 30)).toBe('unknown');
    // A stock-out seen before the gap is still a stock-out.
    const both = gap.map((b, i) => (i === 8 ? 0 : b));
    expect(classifyOutcome(base(both), 5, 5, 30)).toBe('new_stockout');
    // Beyond the data: unknown.
    expect(classifyOutcome(base(ok), 20, 5, 30)).toBe('unknown');
  });

  it('average monthly consumption is adjusted for stock-out days (× days ÷ days in stock)', () => {
    const days = daysBetween('2021-01-01', '2021-04-01');
    const demand = Array.from({ length: days }, () => 0);
    const out = Array.from({ length: days }, () => false);
    demand[30] = 31; // January: 31 issued, no stock-out
    demand[58] = 14; // February: 14 issued, stocked out 14 of 28 days → 28
    for (let i = 45; i < 59; i++) out[i] = true;
    demand[89] = 31; // March
    const s: BacktestSeriesInput = {
      startDate: '2021-01-01',
      demand,
      balance: demand.map(() => 1),
      stockoutDays: out,
    };
    expect(averageMonthlyConsumption(s, '2021-04-01', days)).toBeCloseTo((31 + 28 + 31) / 3, 10);
  });
});

describe('scores', () => {
  it('average precision and recall at precision on a hand-made example', () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
    const labels = [true, false, true, false, false];
    // Thresholds: P 1/1 R .5; P 1/2 R .5; P 2/3 R 1; ...  AP = .5·1 + .5·(2/3).
    expect(averagePrecision(scores, labels)).toBeCloseTo(0.5 + 1 / 3, 12);
    expect(recallAtPrecision(scores, labels, 0.25)).toBe(1);
    expect(recallAtPrecision(scores, labels, 0.7)).toBe(0.5);
    expect(recallAtPrecision(scores, labels, 1.01)).toBe(0);
    expect(
      averagePrecision(
        scores,
        labels.map(() => false),
      ),
    ).toBeNull();
    // Tied scores are one threshold, whatever the order.
    expect(averagePrecision([1, 1], [true, false])).toBe(0.5);
    expect(averagePrecision([1, 1], [false, true])).toBe(0.5);
  });

  it('Brier and calibration bins', () => {
    expect(brierScore([0.2, 0.8], [false, true])).toBeCloseTo(0.04, 12);
    const bins = calibrationBins([0.05, 0.15, 0.12, 1], [false, true, false, true]);
    expect(bins).toHaveLength(10);
    expect(bins[1]).toMatchObject({ rows: 2, observedRate: 0.5 });
    expect(bins[1]!.meanPredicted).toBeCloseTo(0.135, 12);
    expect(bins[9]).toMatchObject({ rows: 1, observedRate: 1 });
    expect(bins[5]).toMatchObject({ rows: 0, meanPredicted: null, observedRate: null });
  });
});

describe('summariseBacktest', () => {
  const row = (o: Partial<BacktestRow>): BacktestRow => ({
    asOf: '2021-01-01',
    position: 10,
    leadTimeDays: 14,
    model: 'm',
    family: 'f',
    grain: 'monthly',
    forecast: [],
    pBeforeReceipt: 0.1,
    pWithinHorizon: 0.1,
    alertRaised: false,
    outcome: 'none',
    monthsOfStock: 2,
    errors: {
      engine: { mase: 1, rmsse: 1, pinball: 0.5 },
      naive: { mase: 2, rmsse: 2, pinball: 1 },
      mean3: { mase: 1.5, rmsse: 1.5, pinball: 0.8 },
    },
    ...o,
  });
  it('already-out and unknown rows are not scored; baselines are on the same rows', () => {
    const rows = [
      row({
        position: 0,
        pWithinHorizon: 1,
        pBeforeReceipt: 1,
        alertRaised: true,
        outcome: 'already_out',
        monthsOfStock: 0,
      }),
      row({
        position: 0,
        pWithinHorizon: 1,
        pBeforeReceipt: 1,
        alertRaised: true,
        outcome: 'already_out',
        monthsOfStock: 0,
      }),
      row({
        position: null,
        pWithinHorizon: null,
        pBeforeReceipt: null,
        outcome: 'unknown',
        monthsOfStock: null,
      }),
      row({ pWithinHorizon: 0.9, alertRaised: true, outcome: 'new_stockout', monthsOfStock: 3 }),
      row({ pWithinHorizon: 0.6, alertRaised: true, outcome: 'none', monthsOfStock: 0.5 }),
      row({ pWithinHorizon: 0.2, outcome: 'none', monthsOfStock: 4 }),
      row({ pWithinHorizon: 0.1, outcome: 'new_stockout', monthsOfStock: 1 }),
    ];
    const s = summariseBacktest(rows, params);
    expect(scoredRows(rows)).toHaveLength(4);
    expect(s.outcomes).toEqual({ already_out: 2, unknown: 1, new_stockout: 2, none: 2 });
    expect(s.alerts.engine.rows).toBe(4);
    expect(s.alerts.monthsOfStock.rows).toBe(4);
    expect(s.alerts.engine.newStockouts).toBe(2);
    expect(s.baseRate).toBe(0.5);
    // Engine order: .9 (T) .6 (F) .2 (F) .1 (T) → AP = .5·1 + .5·.5.
    expect(s.alerts.engine.averagePrecision).toBeCloseTo(0.75, 12);
    // MOS order (lower first): .5 (F) 1 (T) 3 (T) 4 (F) → AP = .5·.5 + .5·(2/3).
    expect(s.alerts.monthsOfStock.averagePrecision).toBeCloseTo(0.25 + 1 / 3, 12);
    // Alert precision counts only scored rows: the already-out alerts are not "correct predictions".
    expect(s.alertPrecision).toBe(0.5);
    expect(s.alertRecall).toBe(0.5);
    expect(s.brier.baseRate).toBeCloseTo(0.25, 12);
    expect(s.brier.engine).toBeCloseTo((0.01 + 0.36 + 0.04 + 0.81) / 4, 12);
    expect(s.calibration.reduce((n, b) => n + b.rows, 0)).toBe(4);
    expect(s.forecast.engine.mase).toBe(1);
    expect(s.forecast.naive.mase).toBe(2);
    expect(s.forecast.mean3.mase).toBe(1.5);
    expect(s.itemLocations).toBe(1);
    expect(s.verdict.en).toContain('months-of-stock');
    expect(s.verdict.zh).toContain('库存月数');
  });
});
