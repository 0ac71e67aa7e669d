import { describe, expect, it } from 'vitest';
import {
  addLedgerTotals,
  alertPrecision,
  backtestScores,
  bucketByPeriod,
  elapsedDays,
  type ItemLocationLedger,
  kpiPeriods,
  leadTimeDrift,
  ledgerKpis,
  onTime,
  periodIndexOf,
  summariseLedgerPeriod,
} from '../../src/kpis/index.ts';

const map = (o: Record<string, number>) => new Map(Object.entries(o));

describe('kpiPeriods', () => {
  it('aligns weeks to Monday and clips the first and last period to the range', () => {
    // 2026-01-01 is a Thursday.
    expect(kpiPeriods('2026-01-01', '2026-01-14', 'week')).toEqual([
      { start: '2026-01-01', end: '2026-01-05', days: 4 },
      { start: '2026-01-05', end: '2026-01-12', days: 7 },
      { start: '2026-01-12', end: '2026-01-15', days: 3 },
    ]);
  });

  it('aligns months to the calendar (February has 28 days in 2026)', () => {
    expect(kpiPeriods('2026-01-15', '2026-03-10', 'month')).toEqual([
      { start: '2026-01-15', end: '2026-02-01', days: 17 },
      { start: '2026-02-01', end: '2026-03-01', days: 28 },
      { start: '2026-03-01', end: '2026-03-11', days: 10 },
    ]);
    expect(kpiPeriods('2026-03-01', '2026-03-01', 'month')).toEqual([
      { start: '2026-03-01', end: '2026-03-02', days: 1 },
    ]);
  });

  it('finds the period of a day', () => {
    const p = kpiPeriods('2026-01-01', '2026-01-14', 'week');
    expect(
      ['2025-12-31', '2026-01-01', '2026-01-04', '2026-01-05', '2026-01-14', '2026-01-15'].map((d) =>
        periodIndexOf(p, d),
      ),
    ).toEqual([-1, 0, 0, 1, 2, -1]);
    expect(bucketByPeriod(p, ['2026-01-02', '2026-01-13', '2027-01-01'], (d) => d)).toEqual([
      ['2026-01-02'],
      [],
      ['2026-01-13'],
    ]);
  });
});

describe('ledgerKpis on a hand-made ledger', () => {
  const periods = kpiPeriods('2026-01-01', '2026-01-14', 'week');
  // Gauze, 2 per unit: 10 on hand, all 10 issued on Jan 2 (out of stock until a receipt of 20
  // on Jan 6), 5 issued on Jan 7. End-of-day on-hand: 10, 0, 0, 0 | 0, 20, 15, 15, 15, 15, 15 | 15, 15, 15.
  const gauze: ItemLocationLedger = {
    unitCost: 2,
    opening: 10,
    firstDay: '2025-12-01',
    net: map({ '2026-01-02': -10, '2026-01-06': 20, '2026-01-07': -5 }),
    demandDays: ['2025-12-20', '2026-01-02', '2026-01-07'],
    issued: map({ '2026-01-02': 10, '2026-01-07': 5 }),
    writtenOff: new Map(),
  };
  // Sutures, 1 per unit: received 50 on Jan 10, 5 written off on Jan 13, never issued, so it
  // counts for value but not for the stockout rate.
  const sutures: ItemLocationLedger = {
    unitCost: 1,
    opening: 0,
    firstDay: '2026-01-10',
    net: map({ '2026-01-10': 50, '2026-01-13': -5 }),
    demandDays: [],
    issued: new Map(),
    writtenOff: map({ '2026-01-13': 5 }),
  };

  it('counts stockout days among item-locations in use, values stock day by day', () => {
    const totals = ledgerKpis([gauze, sutures], periods);
    expect(totals).toEqual([
      {
        days: 4,
        itemLocationDays: 4,
        stockoutDays: 3,
        valueDaySum: 20,
        endValue: 0,
        consumptionValue: 20,
        writeOffValue: 0,
        writeOffQuantity: 0,
      },
      {
        days: 7,
        itemLocationDays: 7,
        stockoutDays: 1,
        valueDaySum: 40 + 5 * 30 + 2 * 50,
        endValue: 30 + 50,
        consumptionValue: 10,
        writeOffValue: 0,
        writeOffQuantity: 0,
      },
      {
        days: 3,
        itemLocationDays: 3,
        stockoutDays: 0,
        valueDaySum: 3 * 30 + 50 + 45 + 45,
        endValue: 30 + 45,
        consumptionValue: 0,
        writeOffValue: 5,
        writeOffQuantity: 5,
      },
    ]);
    const [w1, w2, w3] = totals.map(summariseLedgerPeriod);
    // Week 1: 3 of 4 days out; average value 20/4 = 5; daily consumption 20/4 = 5 → 1 day of turnover.
    expect(w1).toEqual({ stockoutRate: 0.75, averageInventoryValue: 5, turnoverDays: 1 });
    // Week 2: average 290/7, daily consumption 10/7 → 29 days.
    expect(w2!.stockoutRate).toBeCloseTo(1 / 7, 12);
    expect(w2!.turnoverDays).toBeCloseTo(29, 12);
    // Week 3: nothing consumed → no turnover figure.
    expect(w3).toEqual({ stockoutRate: 0, averageInventoryValue: 230 / 3, turnoverDays: null });
  });

  it('an item-location not yet stocked or without demand in the 90-day window is not counted', () => {
    const idle: ItemLocationLedger = { ...gauze, demandDays: ['2025-09-01'] };
    expect(ledgerKpis([idle], periods).map((t) => t.itemLocationDays)).toEqual([0, 0, 0]);
    const late: ItemLocationLedger = {
      ...gauze,
      opening: 0,
      firstDay: '2026-01-06',
      net: map({ '2026-01-06': 20 }),
    };
    expect(ledgerKpis([late], periods).map((t) => [t.itemLocationDays, t.stockoutDays])).toEqual([
      [0, 0],
      [6, 0],
      [3, 0],
    ]);
  });

  it('scopes add up to the organisation', () => {
    const sum = addLedgerTotals(ledgerKpis([gauze], periods), ledgerKpis([sutures], periods));
    expect(sum).toEqual(ledgerKpis([gauze, sutures], periods));
  });
});

describe('flow KPIs', () => {
  it('alert precision = 1 − dismissed ÷ (dismissed + confirmed)', () => {
    expect(alertPrecision(3, 1)).toBe(0.75);
    expect(alertPrecision(0, 2)).toBe(0);
    expect(alertPrecision(0, 0)).toBeNull();
  });

  it('backtest precision and recall', () => {
    const rows = [
      { alertRaised: true, stockoutHappened: true },
      { alertRaised: true, stockoutHappened: false },
      { alertRaised: false, stockoutHappened: true },
      { alertRaised: false, stockoutHappened: false },
      { alertRaised: true, stockoutHappened: true },
    ];
    expect(backtestScores(rows)).toEqual({
      precision: 2 / 3,
      recall: 2 / 3,
      alertsRaised: 3,
      stockouts: 3,
      hits: 2,
    });
    expect(backtestScores([])).toMatchObject({ precision: null, recall: null });
  });

  it('lead-time drift = mean of the last 3 − mean of the ones before them', () => {
    expect(leadTimeDrift([10, 10, 10, 13, 13, 16])).toEqual({
      observations: 6,
      overallMeanDays: 12,
      recentN: 3,
      recentMeanDays: 14,
      historyMeanDays: 10,
      driftDays: 4,
    });
    // One earlier observation is no baseline.
    expect(leadTimeDrift([10, 12, 14, 16])).toMatchObject({ overallMeanDays: 13, driftDays: null });
    expect(leadTimeDrift([10, 12, 14, 16, 18])).toMatchObject({ historyMeanDays: 11, driftDays: 5 });
    expect(leadTimeDrift([])).toMatchObject({ overallMeanDays: null, driftDays: null });
  });

  it('on time is on or before the expected day; cycle time in fractional days', () => {
    expect(onTime('2026-01-10', '2026-01-10')).toBe(true);
    expect(onTime('2026-01-11', '2026-01-10')).toBe(false);
    expect(elapsedDays('2026-01-01T00:00:00Z', '2026-01-03T12:00:00Z')).toBe(2.5);
  });
});
