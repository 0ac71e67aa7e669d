import { sba } from './croston.ts';
import { addDays, daysBetween, daysInMonth, parseIsoDate } from './dates.ts';
import { naive } from './naive.ts';
import type { DemandGrain } from './outlook-types.ts';
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

// ---------------------------------------------------------------------------------------------
// Grain of a daily ledger series, for forecastOutlook (daily / weekly / monthly / irregular)

/** Where a series' records fall, and so the periods it is forecast in. */
export interface SeriesGrain {
  readonly grain: DemandGrain;
  /**
   * monthly: the day of month a report is posted on (0 = the month's last day); periods end on it.
   * weekly: the weekday (0 = Sunday) a weekly figure is posted on; periods end on it.
   * irregular: the period length in days; periods end on the last record. daily: unused (1).
   */
  readonly anchor: number;
  /** Non-zero records the decision was made from. */
  readonly records: number;
  readonly reason: string;
}

const DAY_MS_GRAIN = 86_400_000;

/** Median of the gaps between consecutive indices (integers: a counting pass, no sort). */
function medianGap(idx: readonly number[]): number {
  const n = idx.length - 1;
  if (n < 1) return Number.NaN;
  let max = 0;
  for (let j = 1; j <= n; j++) max = Math.max(max, idx[j]! - idx[j - 1]!);
  const counts = new Int32Array(max + 1);
  for (let j = 1; j <= n; j++) counts[idx[j]! - idx[j - 1]!]! += 1;
  const at = (rank: number) => {
    let c = 0;
    for (let g = 0; g <= max; g++) {
      c += counts[g]!;
      if (c > rank) return g;
    }
    return max;
  };
  return n % 2 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
}

/**
 * Detects how a daily ledger series was recorded, from the days with non-zero demand:
 * - monthly: ≥ 80% of the records fall on one day of the month (usually its last day, where the
 *   ledger posts a monthly report's issued quantity) and months rarely hold more than one record.
 *   One or two records are enough when they sit on month-ends (a report posting, not chance).
 * - weekly: ≥ 4 records, ≥ 80% on one weekday, at most one per week, typically a week apart.
 * - daily: records a median of ≤ 3 days apart (scanning at the point of use).
 * - irregular: anything else (counts at irregular dates, sparse use): periods of the median gap
 *   between records, clamped to 7–91 days (28 when there is only one record).
 * No record at all is 'daily' (nothing to detect; the forecast is the prior or zero).
 * `skip(i)` marks days whose value must not be read (excluded anomalies).
 */
export function detectSeriesGrain(
  history: readonly number[],
  startDate: string,
  skip?: (i: number) => boolean,
): SeriesGrain {
  const t0 = parseIsoDate(startDate);
  const idx: number[] = [];
  for (let i = 0; i < history.length; i++) if (history[i]! > 0 && !skip?.(i)) idx.push(i);
  const r = idx.length;
  if (r === 0) return { grain: 'daily', anchor: 1, records: 0, reason: 'no demand recorded' };
  const domCount = new Int32Array(32);
  const wdCount = new Array<number>(7).fill(0);
  // Records per calendar month and per 7-day block, as counts indexed from the start.
  const perMonthArr = new Int32Array(Math.ceil(history.length / 28) + 2);
  const perWeekArr = new Int32Array(Math.ceil(history.length / 7) + 2);
  // Walk the calendar once instead of building a Date per record.
  const d0 = new Date(t0);
  let yy = d0.getUTCFullYear();
  let mm = d0.getUTCMonth() + 1;
  let dom = d0.getUTCDate();
  let dim = daysInMonth(yy, mm);
  let day = 0;
  const wd0 = d0.getUTCDay();
  const y0 = yy;
  const m0 = mm;
  for (const i of idx) {
    for (; day < i; day++) {
      if (++dom > dim) {
        dom = 1;
        if (++mm > 12) {
          mm = 1;
          yy++;
        }
        dim = daysInMonth(yy, mm);
      }
    }
    const key = dom === dim ? 0 : dom;
    domCount[key]! += 1;
    const wd = (wd0 + i) % 7;
    wdCount[wd] = wdCount[wd]! + 1;
    perMonthArr[(yy - y0) * 12 + mm - m0]! += 1;
    perWeekArr[Math.floor((i + 3) / 7)]! += 1;
  }
  let months = 0;
  let oneMonth = 0;
  for (const c of perMonthArr) {
    if (c > 0) months++;
    if (c === 1) oneMonth++;
  }
  let weeks = 0;
  let oneWeek = 0;
  for (const c of perWeekArr) {
    if (c > 0) weeks++;
    if (c === 1) oneWeek++;
  }
  let anchor = 0;
  let anchorCount = domCount[0]!;
  for (let k = 1; k < 32; k++)
    if (domCount[k]! > anchorCount) {
      anchor = k;
      anchorCount = domCount[k]!;
    }
  const share = anchorCount / r;
  const singleMonths = oneMonth / months;
  const gap = medianGap(idx);
  if (share >= 0.8 && singleMonths >= 0.9 && (r >= 3 || anchor === 0) && !(gap < 20)) {
    const day = anchor === 0 ? 'the last day' : `day ${anchor}`;
    return {
      grain: 'monthly',
      anchor: anchor > 28 ? 0 : anchor,
      records: r,
      reason: `${anchorCount} of ${r} records on ${day} of a month: monthly reports`,
    };
  }
  let wd = 0;
  for (let j = 1; j < 7; j++) if (wdCount[j]! > wdCount[wd]!) wd = j;
  const singleWeeks = oneWeek / weeks;
  if (r >= 4 && wdCount[wd]! / r >= 0.8 && singleWeeks >= 0.9 && gap >= 6 && gap <= 15) {
    return {
      grain: 'weekly',
      anchor: wd,
      records: r,
      reason: `${wdCount[wd]} of ${r} records on one weekday, a median ${gap} days apart: weekly figures`,
    };
  }
  if (gap <= 3)
    return { grain: 'daily', anchor: 1, records: r, reason: `records a median ${gap} days apart: daily use` };
  const k = Number.isFinite(gap) ? Math.min(91, Math.max(7, Math.round(gap))) : 28;
  return {
    grain: 'irregular',
    anchor: k,
    records: r,
    reason: Number.isFinite(gap)
      ? `${r} records a median ${gap} days apart on no fixed day: irregular, ${k}-day periods`
      : `a single record: irregular, ${k}-day periods`,
  };
}

/**
 * Period start indices (days from startDate) of a grain, covering [from, to): the first start is
 * ≤ from, the last is ≥ to. `lastRecord` aligns irregular periods so one ends on it.
 */
export function periodStarts(
  g: SeriesGrain,
  startDate: string,
  from: number,
  to: number,
  lastRecord = -1,
): number[] {
  const out: number[] = [];
  if (g.grain === 'daily') {
    for (let i = from; i <= to; i++) out.push(i);
    return out;
  }
  if (g.grain === 'irregular' || g.grain === 'weekly') {
    const k = g.grain === 'weekly' ? 7 : g.anchor;
    let ref: number;
    if (g.grain === 'weekly') {
      // A period ends on the anchor weekday: it starts the day after.
      const wd0 = new Date(parseIsoDate(startDate)).getUTCDay();
      ref = (((g.anchor + 1 - wd0) % 7) + 7) % 7;
    } else ref = lastRecord >= 0 ? lastRecord + 1 : to;
    let s = ref + Math.floor((from - ref) / k) * k;
    for (; s < to; s += k) out.push(s);
    out.push(s);
    return out;
  }
  // Monthly: a period ends on the anchor day (0 = month end) and starts the day after the previous one.
  const t0 = parseIsoDate(startDate);
  const d = new Date(t0 + from * DAY_MS_GRAIN);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth() + 1; // 1-based
  const endOf = (yy: number, mm: number) => {
    const dim = daysInMonth(yy, mm);
    const day = g.anchor === 0 ? dim : Math.min(g.anchor, dim);
    return Math.round((Date.UTC(yy, mm - 1, day) - t0) / DAY_MS_GRAIN);
  };
  // Start = the day after the previous month's end; step back until it is ≤ from.
  const prev = (yy: number, mm: number): [number, number] => (mm === 1 ? [yy - 1, 12] : [yy, mm - 1]);
  let [py, pm] = prev(y, m);
  while (endOf(py, pm) + 1 > from) {
    [y, m] = [py, pm];
    [py, pm] = prev(y, m);
  }
  let s = endOf(py, pm) + 1;
  for (;;) {
    out.push(s);
    if (s >= to) break;
    s = endOf(y, m) + 1;
    if (m === 12) {
      y++;
      m = 1;
    } else m++;
  }
  while (out.length > 2 && out[1]! <= from) out.shift();
  return out;
}
