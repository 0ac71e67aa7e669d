import { addDays, daysBetween, daysInMonth } from '../forecast/dates.ts';
import { detectGrain } from '../forecast/grain.ts';
import type { DemandOutlook, DemandTotal, OutlookInput, OutlookPeriod } from '../forecast/outlook-types.ts';
import { OUTLOOK_QUANTILES } from '../forecast/outlook-types.ts';
import { fmt } from '../policy/explain.ts';
import { negBinCdf, negBinQuantile, poissonCdf, poissonQuantile } from '../stats/discrete.ts';

/**
 * A plain stand-in for forecastOutlook (core/src/forecast/outlook.ts, being built by another helper):
 * a stock-out-adjusted rate over the last 12 months (or 91 days for daily data), shrunk towards the
 * prior, with a negative binomial whose variance carries both the period-to-period spread and the
 * uncertainty of the estimated rate. The backtest uses it only until forecastOutlook exists.
 */
export function interimOutlook(input: OutlookInput): DemandOutlook {
  const n = input.history.length;
  const dates = Array.from({ length: n }, (_, i) => addDays(input.startDate, i));
  const excluded = new Set(input.excluded ?? []);
  const known = (i: number) => !excluded.has(i) && Number.isFinite(input.history[i]!);
  const grain = detectGrain(
    dates.filter((_, i) => known(i)),
    input.history.filter((_, i) => known(i)),
  ).grain;
  const censored = input.censored ?? [];
  // Blocks: calendar months (complete ones) or 30-day blocks ending the day before asOf.
  const blocks: { total: number; days: number }[] = [];
  if (n > 0) {
    if (grain === 'monthly') {
      let i = 0;
      while (i < n) {
        const [y, m] = dates[i]!.split('-').map(Number) as [number, number];
        const dim = daysInMonth(y, m);
        const first = i - (Number(dates[i]!.slice(8, 10)) - 1);
        const last = first + dim - 1;
        if (first >= 0 && last < n) blocks.push(block(first, last));
        i = last + 1;
      }
    } else {
      for (let end = n - 1; end - 29 >= 0 && blocks.length < 3; end -= 30)
        blocks.unshift(block(end - 29, end));
    }
  }
  function block(a: number, b: number): { total: number; days: number } {
    let total = 0;
    let inStock = 0;
    for (let i = a; i <= b; i++) {
      if (!known(i)) return { total: Number.NaN, days: b - a + 1 };
      total += input.history[i]!;
      if (!censored[i]) inStock++;
    }
    const days = b - a + 1;
    // OpenLMIS adjustment: consumption × days in the period ÷ days in stock.
    return { total: inStock > 0 ? (total * days) / inStock : Number.NaN, days };
  }
  const recent = blocks.filter((b) => Number.isFinite(b.total)).slice(grain === 'monthly' ? -12 : -3);
  const ownDays = recent.reduce((s, b) => s + b.days, 0);
  const ownTotal = recent.reduce((s, b) => s + b.total, 0);
  const prior = input.prior ?? null;
  const pw = prior ? prior.weightDays : 0;
  const rate =
    ownDays + pw > 0 ? (ownTotal + (prior ? prior.dailyRate * pw : 0)) / (ownDays + pw) : Number.NaN;
  const blockMeans = recent.map((b) => (b.total / b.days) * 30.4375);
  const mu = blockMeans.length ? blockMeans.reduce((s, x) => s + x, 0) / blockMeans.length : rate * 30.4375;
  const v =
    blockMeans.length > 1 ? blockMeans.reduce((s, x) => s + (x - mu) ** 2, 0) / (blockMeans.length - 1) : mu;
  const perMonthVar = Math.max(v, mu, 1e-9);
  const nEff = Math.max(1, ownDays / 30.4375 + pw / 30.4375);
  const total = (from: number, to: number): DemandTotal => {
    const d = Math.max(0, to - from);
    const mean = rate * d;
    const f = d / 30.4375;
    // Spread within the window (dispersion φ of monthly totals) plus the uncertainty of the rate itself.
    const phi = mu > 0 ? perMonthVar / mu : 1;
    const varX = Math.max(mean, phi * mean + (f * f * perMonthVar) / nEff);
    const nb = varX > mean * (1 + 1e-9) && mean > 0;
    return {
      mean,
      sd: Math.sqrt(varX),
      cdf: (x) => (!(mean > 0) ? (x >= 0 ? 1 : 0) : nb ? negBinCdf(x, mean, varX) : poissonCdf(x, mean)),
      quantile: (p) => (!(mean > 0) ? 0 : nb ? negBinQuantile(p, mean, varX) : poissonQuantile(p, mean)),
      label: nb ? `NegBin(mean ${fmt(mean, 1)}, var ${fmt(varX, 1)})` : `Poisson(mean ${fmt(mean, 1)})`,
    };
  };
  const asOf = addDays(input.startDate, n);
  const periods: OutlookPeriod[] = [];
  const endDay = input.horizonDays;
  if (Number.isFinite(rate)) {
    let start = asOf;
    while (daysBetween(asOf, start) < endDay) {
      let end: string;
      if (grain === 'monthly') {
        const [y, m] = start.split('-').map(Number) as [number, number];
        end = `${start.slice(0, 8)}${String(daysInMonth(y, m)).padStart(2, '0')}`;
      } else end = start;
      const a = daysBetween(asOf, start);
      const b = daysBetween(asOf, end) + 1;
      const t = total(a, b);
      periods.push({ start, end, mean: t.mean, quantiles: OUTLOOK_QUANTILES.map((q) => t.quantile(q)) });
      start = addDays(end, 1);
    }
  }
  if (!Number.isFinite(rate)) {
    // No history and no prior: a forecast cannot be made; total() throws so callers report unknown.
    return {
      grain,
      model: 'none',
      family: 'none',
      demandClass: 'unknown',
      score: null,
      daily: [],
      total: () => {
        throw new RangeError('no demand history and no prior');
      },
      periods: [],
      prior: null,
      explanation: { en: 'No demand history: no forecast', zh: '无需求历史，无法预测' },
    };
  }
  return {
    grain,
    model: grain === 'monthly' ? 'mean12-adjusted' : 'mean91',
    family: 'negative-binomial',
    demandClass: 'unknown',
    score: null,
    daily: Array.from({ length: input.horizonDays }, () => rate),
    total,
    periods,
    prior: prior && ownDays < 365 ? prior.source : null,
    explanation: {
      en: `Interim ${grain} rate ${fmt(rate, 2)}/day, negative binomial`,
      zh: `临时${grain === 'monthly' ? '按月' : '按日'}预测：每日 ${fmt(rate, 2)}，负二项分布`,
    },
  };
}
