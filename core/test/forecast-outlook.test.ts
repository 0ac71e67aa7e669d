import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, daysInMonth } from '../src/forecast/dates.ts';
import { detectSeriesGrain, periodStarts } from '../src/forecast/grain.ts';
import { forecastOutlook, pooledPrior, templatePrior } from '../src/forecast/outlook.ts';
import { thinnedDispersion } from '../src/forecast/outlook-distribution.ts';
import {
  buildPool,
  COMBO,
  crostonLevels,
  forecastAt,
  sesLevels,
  tsbLevels,
} from '../src/forecast/outlook-pool.ts';
import { OUTLOOK_QUANTILES } from '../src/forecast/outlook-types.ts';
import { forecastOutlook as fromCore, pooledPrior as pooledFromCore } from '../src/index.ts';

const START = '2021-01-01';

/** A daily ledger where month i's figure is one movement on its last day (how monthly reports post). */
function monthEndLedger(months: readonly number[], start = START): number[] {
  const out: number[] = [];
  let [y, m] = start.split('-').map(Number) as [number, number];
  for (const v of months) {
    const dim = daysInMonth(y, m);
    for (let d = 1; d <= dim; d++) out.push(d === dim ? v : 0);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** Deterministic pseudo-random numbers (xorshift) so the tests never flake. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function poissonDraw(r: () => number, lambda: number): number {
  let k = 0;
  let p = Math.exp(-lambda);
  let c = p;
  const u = r();
  while (u > c && k < 1000) {
    k++;
    p *= lambda / k;
    c += p;
  }
  return k;
}

describe('grain detection', () => {
  it('dense daily scanning is daily', () => {
    const r = rng(1);
    const h = Array.from({ length: 200 }, () => poissonDraw(r, 6));
    expect(detectSeriesGrain(h, START).grain).toBe('daily');
  });

  it('one figure every Monday is weekly', () => {
    // 2021-01-04 is a Monday: index 3.
    const h = Array.from({ length: 140 }, (_, i) => (i % 7 === 3 ? 40 + (i % 5) : 0));
    const g = detectSeriesGrain(h, START);
    expect(g.grain).toBe('weekly');
    expect(g.anchor).toBe(1);
  });

  it('month-end postings are monthly, even when most months are zero', () => {
    const months = Array.from({ length: 36 }, (_, i) => (i % 4 === 0 ? 3 : 0));
    const g = detectSeriesGrain(monthEndLedger(months), START);
    expect(g.grain).toBe('monthly');
    expect(g.anchor).toBe(0);
    // A single month-end posting is a report too.
    const one = monthEndLedger([0, 0, 5, 0, 0, 0]);
    expect(detectSeriesGrain(one, START).grain).toBe('monthly');
  });

  it('reports on the 25th are monthly periods ending on the 25th', () => {
    const h = new Array<number>(400).fill(0);
    for (let i = 0; i < 400; i++) if (addDays(START, i).endsWith('-25')) h[i] = 12;
    const g = detectSeriesGrain(h, START);
    expect(g).toMatchObject({ grain: 'monthly', anchor: 25 });
    const starts = periodStarts(g, START, 0, 100);
    // Periods start on the 26th.
    for (const s of starts.slice(1)) expect(addDays(START, s).endsWith('-26')).toBe(true);
  });

  it('counts at irregular dates are irregular, with periods of the median gap', () => {
    const gaps = [17, 23, 19, 25, 18, 22, 21, 16, 24, 20];
    const h = new Array<number>(260).fill(0);
    let t = 5;
    for (const g of gaps) {
      h[t] = 30;
      t += g;
    }
    const g = detectSeriesGrain(h, START);
    expect(g.grain).toBe('irregular');
    expect(g.anchor).toBeGreaterThanOrEqual(19);
    expect(g.anchor).toBeLessThanOrEqual(22);
  });

  it('forecastOutlook forecasts monthly ledgers in calendar months', () => {
    const out = forecastOutlook({
      history: monthEndLedger(new Array(24).fill(30)),
      startDate: START,
      horizonDays: 90,
    });
    expect(out.grain).toBe('monthly');
    expect(out.periods.map((p) => p.start)).toEqual(['2023-01-01', '2023-02-01', '2023-03-01']);
    expect(out.periods[1]!.end).toBe('2023-02-28');
    // 30 a month in months of 28–31 days is ≈ 0.986 a day: about 30.6 for a 31-day January.
    expect(out.periods[0]!.mean).toBeGreaterThan(30.2);
    expect(out.periods[0]!.mean).toBeLessThan(31);
    expect(out.periods[1]!.mean).toBeLessThan(out.periods[0]!.mean);
    expect(out.unreportedDays).toBe(0);
    expect(out.explanation.en).toMatch(/Monthly reports \(24 months\)/);
    expect(out.explanation.zh).toMatch(/按月报表/);
  });
});

describe('stock-out days (OpenLMIS adjustment)', () => {
  it('a month with half its days stocked out counts double; a fully stocked-out month is missing', () => {
    // Use is 1 a day. Months 20, 22 and 23 were out of stock for their last 10 days (so issued
    // only what the in-stock days used); month 21 was out all month (issued 0).
    const lens = Array.from({ length: 24 }, (_, i) => daysInMonth(2021 + Math.floor(i / 12), (i % 12) + 1));
    const out = new Set([20, 22, 23]);
    const months = lens.map((len, i) => (i === 21 ? 0 : out.has(i) ? len - 10 : len));
    const history = monthEndLedger(months);
    const censored = history.map(() => false);
    let day = 0;
    lens.forEach((len, i) => {
      for (let d = 0; d < len; d++) censored[day + d] = i === 21 || (out.has(i) && d >= len - 10);
      day += len;
    });
    const adjusted = forecastOutlook({ history, startDate: START, censored, horizonDays: 30 });
    const raw = forecastOutlook({ history, startDate: START, horizonDays: 30 });
    expect(adjusted.daily[0]!).toBeCloseTo(1, 9);
    expect(raw.daily[0]!).toBeLessThan(0.9);
    expect(adjusted.explanation.en).toMatch(/3 adjusted for stock-out days/);
    expect(adjusted.explanation.zh).toMatch(/3个按缺货天数折算/);
  });

  it('at daily grain a stocked-out day is missing, not zero', () => {
    const history = new Array<number>(120).fill(10);
    const censored = history.map((_, i) => i >= 100);
    for (let i = 100; i < 120; i++) history[i] = 0;
    const out = forecastOutlook({ history, startDate: START, censored, horizonDays: 14 });
    expect(out.daily[0]).toBeCloseTo(10, 6);
  });
});

describe('Croston / SBA / TSB start', () => {
  it('one early demand does not run away', () => {
    const y = new Float64Array(48);
    y[1] = 5;
    const c = crostonLevels(y, 0.1, 1);
    expect(c[2]).toBeCloseTo(2.5, 12); // 5 over an interval of 2
    expect(c[48]!).toBeLessThanOrEqual(5 / 47);
    expect(tsbLevels(y, 0.1, 0.1)[48]!).toBeLessThan(0.05);
  });

  it('a monthly series with one issue of 5 units in four years is forecast near zero', () => {
    const months = new Array<number>(48).fill(0);
    months[2] = 5;
    const out = forecastOutlook({ history: monthEndLedger(months), startDate: START, horizonDays: 600 });
    for (const p of out.periods) expect(p.mean).toBeLessThan(0.5);
    expect(out.total(0, 600).mean).toBeLessThan(5);
  });
});

describe('only the past', () => {
  const arbSeries = fc.array(fc.nat({ max: 20 }), { minLength: 30, maxLength: 120 });

  it('appending future data does not change the outlook at an earlier as-of', () => {
    fc.assert(
      fc.property(arbSeries, arbSeries, fc.integer({ min: 10, max: 30 }), (past, future, cut) => {
        const full = [...past, ...future];
        const a = forecastOutlook({
          history: past.slice(0, past.length - cut),
          startDate: START,
          horizonDays: 30,
        });
        // Unrelated calls in between must not leave state behind (no stored choice).
        forecastOutlook({ history: full, startDate: START, horizonDays: 30 });
        const b = forecastOutlook({
          history: full.slice(0, past.length - cut),
          startDate: START,
          horizonDays: 30,
        });
        expect(b.model).toBe(a.model);
        expect(b.family).toBe(a.family);
        expect(b.daily).toEqual(a.daily);
        expect(b.periods).toEqual(a.periods);
      }),
      { numRuns: 40 },
    );
  });

  it('the choice is re-made at every as-of date', () => {
    // Flat, then a level shift: the later as-of date sees the shift and moves with it.
    const h = [...new Array<number>(200).fill(5), ...new Array<number>(150).fill(20)];
    const early = forecastOutlook({ history: h.slice(0, 200), startDate: START, horizonDays: 28 });
    const late = forecastOutlook({ history: h, startDate: START, horizonDays: 28 });
    expect(early.daily[0]).toBeCloseTo(5, 6);
    expect(late.daily[0]!).toBeGreaterThan(18);
  });
});

describe('prior', () => {
  const prior = { dailyRate: 2, weightDays: 56, source: 'pooled' as const };

  it('an empty history takes the prior', () => {
    const out = forecastOutlook({ history: [], startDate: START, horizonDays: 30, prior });
    expect(out.prior).toBe('pooled');
    expect(out.daily).toHaveLength(30);
    for (const d of out.daily) expect(d).toBeCloseTo(2, 12);
    const t = out.total(0, 30);
    expect(t.mean).toBeCloseTo(60, 9);
    expect(t.quantile(0.95)).toBeGreaterThan(60);
    expect(out.explanation.en).toMatch(/other sites/);
  });

  it('a short history is shrunk towards the prior, a long one is not', () => {
    const short = forecastOutlook({
      history: new Array(14).fill(10),
      startDate: START,
      horizonDays: 7,
      prior,
    });
    expect(short.daily[0]!).toBeCloseTo((10 * 14 + 2 * 56) / 70, 6);
    const long = forecastOutlook({
      history: new Array(2000).fill(10),
      startDate: START,
      horizonDays: 7,
      prior,
    });
    expect(long.prior).toBeNull();
    expect(long.daily[0]!).toBeGreaterThan(9.7);
  });

  it('no history and no prior forecasts zero', () => {
    const out = forecastOutlook({ history: [], startDate: START, horizonDays: 10 });
    expect(out.daily).toEqual(new Array(10).fill(0));
    expect(out.total(0, 10).quantile(0.99)).toBe(0);
  });

  it('pooledPrior weights sites by history and trusts disagreeing sites less', () => {
    const p = pooledPrior([
      { dailyRate: 1, historyDays: 100 },
      { dailyRate: 4, historyDays: 300 },
      { dailyRate: 50, historyDays: 5 }, // too little history: ignored
    ])!;
    expect(p.source).toBe('pooled');
    expect(p.dailyRate).toBeCloseTo(3.25, 12);
    const agree = pooledPrior([
      { dailyRate: 3, historyDays: 100 },
      { dailyRate: 3, historyDays: 300 },
    ])!;
    expect(agree.weightDays).toBe(56);
    expect(p.weightDays).toBeLessThan(agree.weightDays);
    expect(pooledPrior([])).toBeNull();
    expect(templatePrior(30.4375)!.dailyRate).toBeCloseTo(1, 12);
    expect(fromCore).toBe(forecastOutlook);
    expect(pooledFromCore).toBe(pooledPrior);
  });
});

describe('distribution', () => {
  const cases: [string, number[]][] = [
    ['smooth daily', Array.from({ length: 400 }, (_, i) => 20 + 8 * Math.sin(i / 9) + ((i * 7919) % 11))],
    ['intermittent daily', Array.from({ length: 300 }, (_, i) => ((i * 7919) % 13 === 0 ? 3 : 0))],
    ['monthly reports', monthEndLedger(Array.from({ length: 40 }, (_, i) => ((i * 31) % 7) * 3))],
  ];

  for (const [name, history] of cases) {
    it(`${name}: quantiles are monotone and total() agrees with periods`, () => {
      const out = forecastOutlook({ history, startDate: START, horizonDays: 60 });
      for (const p of out.periods) {
        for (let k = 1; k < p.quantiles.length; k++)
          expect(p.quantiles[k]!).toBeGreaterThanOrEqual(p.quantiles[k - 1]!);
        expect(p.quantiles[0]!).toBeGreaterThanOrEqual(0);
      }
      const n = history.length;
      let sum = 0;
      for (const p of out.periods) {
        const from = daysBetween(START, p.start) - n;
        const to = daysBetween(START, p.end) + 1 - n;
        const t = out.total(from, to);
        expect(t.mean).toBeCloseTo(p.mean, 9);
        expect(OUTLOOK_QUANTILES.map((q) => t.quantile(q))).toEqual(p.quantiles);
        sum += p.mean;
      }
      const last = out.periods.at(-1)!;
      const whole = out.total(
        daysBetween(START, out.periods[0]!.start) - n,
        daysBetween(START, last.end) + 1 - n,
      );
      expect(whole.mean).toBeCloseTo(sum, 9);
      // The daily means add up to the window's total.
      const d = out.daily.reduce((a, b) => a + b, 0);
      expect(out.total(0, 60).mean).toBeCloseTo(d, 9);
      const t = out.total(0, 60);
      let prev = -1;
      for (const p of [0.05, 0.25, 0.5, 0.75, 0.9, 0.99]) {
        const q = t.quantile(p);
        expect(q).toBeGreaterThanOrEqual(prev);
        expect(t.cdf(q)).toBeGreaterThanOrEqual(p - 1e-9);
        prev = q;
      }
      expect(t.label.length).toBeGreaterThan(3);
    });
  }

  it('a month not yet reported is consumed but not posted: total() reaches back to the last report', () => {
    const history = [...monthEndLedger(new Array(24).fill(31)), ...new Array<number>(14).fill(0)];
    const out = forecastOutlook({ history, startDate: START, horizonDays: 30 });
    expect(out.grain).toBe('monthly');
    expect(out.unreportedDays).toBe(14);
    expect(out.periods[0]!.start).toBe('2023-01-01');
    expect(out.total(-14, 17).mean).toBeCloseTo(out.periods[0]!.mean, 9);
    expect(out.total(-100, 17).mean).toBeCloseTo(out.periods[0]!.mean, 9);
    expect(out.daily).toHaveLength(30);
  });
});

describe('windows shorter than a period and the period default', () => {
  it('thins the period dispersion: Poisson for a short window, the period for the whole of it', () => {
    expect(thinnedDispersion(9, 0)).toBe(1);
    expect(thinnedDispersion(9, 1)).toBe(9);
    expect(thinnedDispersion(9, 0.5)).toBe(5);
    // Under-dispersed or unknown periods never go below Poisson.
    expect(thinnedDispersion(0.5, 0.5)).toBe(1);
  });

  it('a fortnight of a lumpy monthly series keeps a share of the month, above Poisson', () => {
    const months = [0, 40, 0, 0, 25, 0, 60, 0, 0, 10, 0, 35, 0, 0, 50, 5, 0, 0, 45, 0, 0, 30, 0, 20];
    const out = forecastOutlook({ history: monthEndLedger(months), startDate: START, horizonDays: 62 });
    expect(out.grain).toBe('monthly');
    const month = out.total(0, 31);
    const fortnight = out.total(0, 14);
    expect(fortnight.mean).toBeCloseTo((month.mean * 14) / 31, 6);
    // Dispersion (var ÷ mean) of the fortnight: above Poisson, at most the month's.
    const dF = fortnight.sd ** 2 / fortnight.mean;
    const dM = month.sd ** 2 / month.mean;
    expect(dF).toBeGreaterThan(1.5);
    expect(dF).toBeLessThanOrEqual(dM + 1e-9);
    // The upper tail of the fortnight stays below the month's.
    expect(fortnight.quantile(0.95)).toBeLessThanOrEqual(month.quantile(0.95));
    expect(fortnight.quantile(0.95)).toBeGreaterThan(fortnight.mean);
  });

  it('monthly series default to the mean of SES, MA12 and SBA, unshrunk when demand comes every month', () => {
    const out = forecastOutlook({
      history: monthEndLedger([12, 9, 14, 11, 10, 13, 12, 8, 15, 11, 12, 10, 13, 9, 12, 11, 14, 10]),
      startDate: START,
      horizonDays: 31,
    });
    expect(out.model).toBe(COMBO);
    const croston = crostonLevels(Float64Array.from([10, 10, 10, 10]), 0.1, 'interval');
    expect(croston[4]).toBeCloseTo(10, 9);
    const sparse = crostonLevels(Float64Array.from([0, 10, 0, 10, 0, 10]), 0.1, 'interval');
    // Intervals of 2: the correction is α/2·(1 − 1/2) = 2.5%.
    expect(sparse[6]).toBeCloseTo((10 / 2) * 0.975, 6);
  });
  it('daily seasonal candidates are refitted along the backtest, each origin using only indices fitted before it', () => {
    // Three years of daily demand with a weekday pattern and a yearly wave whose peak grows.
    const r = rng(11);
    const n = 3 * 365;
    const y = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const week = t % 7 === 0 ? 0.5 : 1.1;
      const year = 1 + (0.3 + (0.3 * t) / n) * Math.sin((2 * Math.PI * t) / 365.25);
      y[t] = poissonDraw(r, 6 * week * year);
    }
    const opts = { daily: true, periodsPerYear: 365.25, total: n + 400 };
    const fits = [800, 900, n];
    const blocked = buildPool(y, { ...opts, seasonFitTo: 800, seasonRefits: fits });
    const single = (f: number) => buildPool(y.subarray(0, f), { ...opts, seasonFitTo: f });
    const name = 'ses(0.05)+weekday+yearly';
    const c = blocked.find((x) => x.name === name)!;
    expect(c.blocks?.map((b) => b.from)).toEqual(fits);
    // An origin in the first block forecasts as a pool built from the data before 800 would,
    // one in the second as a pool from the data before 900, and the forecast at the end as a pool
    // fitted on everything: a later block never reaches back into an earlier origin.
    for (const [o, f] of [
      [850, 800],
      [899, 800],
      [900, 900],
      [1000, 900],
    ] as const) {
      const ref = single(f).find((x) => x.name === name)!;
      // Same seasonal factors as the index fitted on y[0..f−1] …
      for (const h of [0, 6, 27])
        expect(forecastAt(c, o, h) / c.level[o]!).toBeCloseTo(ref.season![o + h]!, 9);
      // … and the level is SES(0.05) of the series divided by that index, up to the origin.
      const level = sesLevels(
        y.map((x, t) => x / ref.season![t]!),
        0.05,
      );
      expect(c.level[o]).toBeCloseTo(level[o]!, 9);
    }
    const end = single(n).find((x) => x.name === name)!;
    for (const h of [0, 13, 27]) expect(forecastAt(c, n, h)).toBeCloseTo(forecastAt(end, n, h), 9);
    // Appending data after 900 changes nothing the origins before 900 see.
    const longer = buildPool(y, { ...opts, seasonFitTo: 800, seasonRefits: [800, 900, 1000] });
    const c2 = longer.find((x) => x.name === name)!;
    for (const o of [850, 899]) expect(forecastAt(c2, o, 5)).toBeCloseTo(forecastAt(c, o, 5), 12);
  });
});
