import { sba } from './croston.ts';
import { addDays, daysBetween, daysInMonth } from './dates.ts';
import { naive } from './naive.ts';
import { type SelectOptions, selectModel } from './select-model.ts';
import { ses } from './ses.ts';

export type Grain = 'daily' | 'monthly';

export interface GrainDetection {
  readonly grain: Grain;
  /** Calendar months with at least one non-zero record. */
  readonly monthsWithDemand: number;
  /** Share of those months that have exactly one non-zero record. */
  readonly singleRecordShare: number;
  readonly reason: string;
}

/**
 * Daily vs monthly-reported consumption. Some wards report one consumption figure per month
 * (a monthly requisition or stocktake difference): read as daily data, that looks like 29 zero days
 * and one huge spike, which would classify as lumpy and wreck every daily model. A series is
 * 'monthly' when at least 3 months have demand and ≥ 80% of them have exactly one non-zero record.
 */
export function detectGrain(dates: readonly string[], values: readonly number[]): GrainDetection {
  const perMonth = new Map<string, number>();
  for (let i = 0; i < dates.length; i++) {
    if (!(values[i]! > 0)) continue;
    const m = dates[i]!.slice(0, 7);
    perMonth.set(m, (perMonth.get(m) ?? 0) + 1);
  }
  const months = perMonth.size;
  const single = [...perMonth.values()].filter((c) => c === 1).length;
  const share = months > 0 ? single / months : 0;
  const monthly = months >= 3 && share >= 0.8;
  return {
    grain: monthly ? 'monthly' : 'daily',
    monthsWithDemand: months,
    singleRecordShare: share,
    reason: monthly
      ? `${single} of ${months} months have a single non-zero record: monthly reporting`
      : `${single} of ${months} months have a single non-zero record: daily usage`,
  };
}

/** Consecutive daily series from dated records (absent days = 0, same-day records summed). */
export function toDailySeries(
  dates: readonly string[],
  values: readonly number[],
): { start: string; values: number[] } {
  if (dates.length === 0) return { start: '', values: [] };
  const sorted = [...dates].sort();
  const start = sorted[0]!.slice(0, 10);
  const n = daysBetween(start, sorted[sorted.length - 1]!.slice(0, 10)) + 1;
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < dates.length; i++) {
    const t = daysBetween(start, dates[i]!.slice(0, 10));
    out[t] = out[t]! + (Number.isFinite(values[i]!) ? values[i]! : 0);
  }
  return { start, values: out };
}

/** Monthly totals from the first to the last month present (months without records = 0). */
export function toMonthlySeries(
  dates: readonly string[],
  values: readonly number[],
): { months: string[]; totals: number[] } {
  if (dates.length === 0) return { months: [], totals: [] };
  const keys = dates.map((d) => d.slice(0, 7));
  const sorted = [...keys].sort();
  let [y, m] = sorted[0]!.split('-').map(Number) as [number, number];
  const last = sorted[sorted.length - 1]!;
  const months: string[] = [];
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    months.push(key);
    if (key >= last) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  const index = new Map(months.map((k, i) => [k, i]));
  const totals = new Array<number>(months.length).fill(0);
  keys.forEach((k, i) => {
    const j = index.get(k)!;
    totals[j] = totals[j]! + (Number.isFinite(values[i]!) ? values[i]! : 0);
  });
  return { months, totals };
}

export interface GrainForecast {
  readonly grain: Grain;
  readonly detection: GrainDetection;
  readonly modelName: string;
  /** Forecast demand per day for `horizonDays` days after the last reported day (daily) or month (monthly). */
  readonly daily: number[];
  /** Mean of `daily`: the per-day rate alerts and policies use. */
  readonly dailyRate: number;
  /** sd of one day's demand error (monthly: σ_month / √days-in-month, assuming independent days). */
  readonly dailySd: number;
}

/**
 * Forecasts at the series' own grain and returns a per-day rate. Daily series go through
 * selectModel; monthly-reported series are summed per calendar month, forecast per month (model
 * chosen by backtest when there are ≥ 12 months, SES otherwise) and divided by each future
 * month's length.
 */
export function forecastAtGrain(
  dates: readonly string[],
  values: readonly number[],
  horizonDays = 28,
  options: SelectOptions = {},
): GrainForecast {
  const detection = detectGrain(dates, values);
  if (detection.grain === 'daily' || dates.length === 0) {
    const { values: daily } = toDailySeries(dates, values);
    const sel = selectModel(daily, { horizon: horizonDays, ...options });
    const f = sel.forecast(horizonDays);
    return {
      grain: 'daily',
      detection,
      modelName: sel.modelName,
      daily: f,
      dailyRate: f.reduce((a, b) => a + b, 0) / Math.max(1, f.length),
      dailySd: sel.residualSd,
    };
  }
  const { months, totals } = toMonthlySeries(dates, values);
  const lastMonth = months[months.length - 1]!;
  const [ly, lm] = lastMonth.split('-').map(Number) as [number, number];
  const monthsAhead = Math.ceil(horizonDays / 28) + 1;
  const sel =
    totals.length >= 12
      ? selectModel(totals, { horizon: 3, origins: 3, step: 1, combineTop: 0, pool: [ses(), sba(), naive()] })
      : null;
  const model = sel ? sel.model : ses();
  const fit = sel ? sel.fit : model.fit(totals);
  const perMonth = fit.forecast(monthsAhead);
  // Day 0 is the first day after the last reported month.
  const first = addDays(`${lastMonth}-01`, daysInMonth(ly, lm));
  const daily: number[] = [];
  for (let k = 0; k < horizonDays; k++) {
    const d = addDays(first, k);
    const y = Number(d.slice(0, 4));
    const m = Number(d.slice(5, 7));
    const ahead = (y - ly) * 12 + (m - lm) - 1;
    daily.push(perMonth[Math.min(ahead, perMonth.length - 1)]! / daysInMonth(y, m));
  }
  return {
    grain: 'monthly',
    detection,
    modelName: `monthly:${model.name}`,
    daily,
    dailyRate: daily.reduce((a, b) => a + b, 0) / Math.max(1, daily.length),
    dailySd: fit.residualSd / Math.sqrt(30.44),
  };
}
