import { addDays, daysBetween, daysInMonth } from '../forecast/dates.ts';
import { naiveMae, naiveRmse } from '../forecast/metrics.ts';
import { forecastOutlook } from '../forecast/outlook.ts';
import type { DemandOutlook, OutlookInput } from '../forecast/outlook-types.ts';
import { OUTLOOK_QUANTILES } from '../forecast/outlook-types.ts';
import { estimateLeadTime } from '../policy/lead-time.ts';
import { type InTransitArrival, leadTimeStrata, stockoutRisk } from '../policy/stockout-risk.ts';
import { poissonQuantile } from '../stats/discrete.ts';
import type {
  BacktestForecastPeriod,
  BacktestOutcome,
  BacktestParameters,
  BacktestRow,
  BacktestSeriesInput,
  BacktestStep,
  ForecastErrors,
} from './backtest-types.ts';
import { pinball } from './scores.ts';

/** Lead time assumed when neither terms nor observations are known at an as-of date. */
export const DEFAULT_LEAD_TIME_DAYS = 14;
/** Alert threshold on P(stockout before the next receipt) when the series does not give its rule's. */
export const DEFAULT_ALERT_PROBABILITY = 0.2;

export interface BacktestOptions {
  /** The forecaster; default forecastOutlook (its model and family are chosen again at each as-of date). */
  readonly forecast?: (input: OutlookInput) => DemandOutlook;
}

/** As-of dates from `from` to `to` inclusive: every day, every 7 days, or the same day of every month. */
export function asOfDates(from: string, to: string, step: BacktestStep): string[] {
  const out: string[] = [];
  if (step === 'monthly') {
    const [y0, m0, d0] = from.split('-').map(Number) as [number, number, number];
    for (let k = 0; ; k++) {
      const y = y0 + Math.floor((m0 - 1 + k) / 12);
      const m = ((m0 - 1 + k) % 12) + 1;
      const d = Math.min(d0, daysInMonth(y, m));
      const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      if (iso > to) break;
      out.push(iso);
    }
    return out;
  }
  const inc = step === 'weekly' ? 7 : 1;
  for (let d = from; d <= to; d = addDays(d, inc)) out.push(d);
  return out;
}

/**
 * Replays the engine on one item-location. At each as-of date it uses only what was known then:
 * demand and balances of the days before it, lead times received before it, the terms in force, the
 * orders placed before it and not yet received. The forecaster (and so its model choice) is rerun on
 * that history at every as-of date. The outcome looks at the horizon [asOf, asOf + horizonDays).
 */
export function backtestItemLocation(
  series: BacktestSeriesInput,
  parameters: BacktestParameters,
  options: BacktestOptions = {},
): BacktestRow[] {
  const forecast = options.forecast ?? forecastOutlook;
  const n = series.balance.length;
  const H = parameters.horizonDays;
  if (!(H > 0)) throw new RangeError('horizonDays must be > 0');
  const rows: BacktestRow[] = [];
  const threshold = series.alertProbability ?? DEFAULT_ALERT_PROBABILITY;
  for (const asOf of asOfDates(parameters.from, parameters.to, parameters.step)) {
    const a = daysBetween(series.startDate, asOf);
    if (a < 1 || a > n) continue;
    const position = finiteOrNull(series.balance[a - 1]);

    // Lead time known at the as-of date.
    const lt = leadTimeAt(series, parameters, asOf);

    // Demand known before the as-of date.
    const history: number[] = [];
    const excluded: number[] = [];
    for (let i = 0; i < a; i++) {
      const d = series.demand[i];
      if (d === null || d === undefined || !Number.isFinite(d)) {
        history.push(0);
        excluded.push(i);
      } else history.push(d);
    }
    const censored = series.stockoutDays ? series.stockoutDays.slice(0, a).map(Boolean) : undefined;
    const maxL = Math.max(...leadTimeStrata(lt.mean, lt.sd));
    let outlook: DemandOutlook | null = null;
    try {
      outlook = forecast({
        history,
        startDate: series.startDate,
        censored,
        excluded,
        prior: series.priorAt ? series.priorAt(asOf) : (series.prior ?? null),
        horizonDays: Math.max(H, Math.ceil(maxL) + 1),
      });
    } catch {
      outlook = null;
    }

    const inTransit = inTransitAt(series, asOf, lt);
    const risk = stockoutRisk({
      onHand: position,
      inTransit,
      outlook,
      leadTime: { meanDays: lt.mean, sdDays: lt.sd },
      horizonDays: H,
    });
    const pBefore = risk.beforeReceipt.value;
    const pWithin = risk.withinDays.value;

    const forecastPeriods = outlook ? periodsWithActuals(series, outlook, asOf, H) : [];
    rows.push({
      ...(series.itemCode !== undefined ? { itemCode: series.itemCode } : {}),
      ...(series.siteCode !== undefined ? { siteCode: series.siteCode } : {}),
      ...(series.locationCode !== undefined ? { locationCode: series.locationCode } : {}),
      asOf,
      position,
      leadTimeDays: round(lt.mean, 2),
      model: outlook?.model ?? 'none',
      family: outlook?.family ?? 'none',
      grain: outlook?.grain ?? 'none',
      forecast: forecastPeriods,
      pBeforeReceipt: pBefore,
      pWithinHorizon: pWithin,
      alertRaised: position !== null && (position <= 0 || (pBefore !== null && pBefore >= threshold)),
      outcome: classifyOutcome(series, a, position, H),
      monthsOfStock: monthsOfStock(series, asOf, a, position),
      errors: outlook ? forecastErrors(series, outlook, forecastPeriods, a) : emptyErrors(),
    });
  }
  return rows;
}

function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** Mean and sd of the lead time as known at asOf ('recorded') or the fixed number of days. */
export function leadTimeAt(
  series: BacktestSeriesInput,
  parameters: BacktestParameters,
  asOf: string,
): { mean: number; sd: number } {
  if (parameters.leadTime.mode === 'fixed') return { mean: parameters.leadTime.days, sd: 0 };
  const terms = [...(series.terms ?? [])]
    .filter((t) => t.from <= asOf)
    .sort((x, y) => (x.from < y.from ? -1 : 1));
  const now = terms.at(-1);
  const obs = (series.leadTimes ?? [])
    .filter((o) => o.receiptDate < asOf)
    .map((o) => ({ leadTimeDays: o.days }));
  const est = estimateLeadTime(obs, {
    nominalDays: now?.nominalDays ?? DEFAULT_LEAD_TIME_DAYS,
    ...(now?.nominalSdDays !== undefined ? { nominalSdDays: now.nominalSdDays } : {}),
  });
  return { mean: est.mean.value, sd: est.sd.value };
}

/**
 * Orders placed before asOf and not received before it, at their expected day. An overdue order is
 * expected max(1, ½·σL) days ahead: late, but still coming.
 */
function inTransitAt(
  series: BacktestSeriesInput,
  asOf: string,
  lt: { mean: number; sd: number },
): InTransitArrival[] {
  const out: InTransitArrival[] = [];
  for (const o of series.orders ?? []) {
    if (!(o.orderDate < asOf)) continue;
    if (o.receivedDate !== null && o.receivedDate < asOf) continue;
    const expected = o.expectedDate ?? addDays(o.orderDate, Math.round(lt.mean));
    let day = daysBetween(asOf, expected);
    if (day <= 0) day = Math.max(1, Math.round(lt.sd / 2));
    out.push({ day, qty: o.qty });
  }
  return out;
}

/**
 * 'already_out' when the position is ≤ 0; 'new_stockout' when the balance reaches ≤ 0 or a stock-out
 * day is recorded within [a, a + H); 'unknown' when the position or any balance of the window is
 * unknown (or beyond the data) and no stock-out was seen; else 'none'.
 */
export function classifyOutcome(
  series: BacktestSeriesInput,
  a: number,
  position: number | null,
  H: number,
): BacktestOutcome {
  if (position === null) return 'unknown';
  if (position <= 0) return 'already_out';
  let unknown = false;
  const end = a + Math.ceil(H);
  for (let i = a; i < end; i++) {
    if (i >= series.balance.length) {
      unknown = true;
      continue;
    }
    if (series.stockoutDays?.[i]) return 'new_stockout';
    const b = finiteOrNull(series.balance[i]);
    if (b === null) unknown = true;
    else if (b <= 0) return 'new_stockout';
  }
  return unknown ? 'unknown' : 'none';
}

/**
 * Months of stock = position ÷ average monthly consumption of the last 3 complete calendar months
 * before asOf, each adjusted for stock-out days (consumption × days in month ÷ days in stock; a month
 * with unknown demand or no day in stock is left out). null when there is no consumption to divide by.
 */
export function monthsOfStock(
  series: BacktestSeriesInput,
  asOf: string,
  a: number,
  position: number | null,
): number | null {
  if (position === null) return null;
  const amc = averageMonthlyConsumption(series, asOf, a);
  if (amc === null || !(amc > 0)) return position <= 0 ? 0 : null;
  return position / amc;
}

export function averageMonthlyConsumption(
  series: BacktestSeriesInput,
  asOf: string,
  a: number,
): number | null {
  const vals: number[] = [];
  let [y, m] = asOf.split('-').map(Number) as [number, number];
  for (let k = 0; k < 3; k++) {
    m--;
    if (m === 0) {
      m = 12;
      y--;
    }
    const first = daysBetween(series.startDate, `${y}-${String(m).padStart(2, '0')}-01`);
    const dim = daysInMonth(y, m);
    const last = first + dim - 1;
    if (first < 0 || last >= a) continue;
    let total = 0;
    let inStock = 0;
    let ok = true;
    for (let i = first; i <= last; i++) {
      const d = series.demand[i];
      if (d === null || d === undefined || !Number.isFinite(d)) {
        ok = false;
        break;
      }
      total += d;
      if (!series.stockoutDays?.[i]) inStock++;
    }
    if (ok && inStock > 0) vals.push((total * dim) / inStock);
  }
  return vals.length ? vals.reduce((s, x) => s + x, 0) / vals.length : null;
}

/** The outlook's periods that overlap the horizon, with the demand that happened in each (null if unknown). */
function periodsWithActuals(
  series: BacktestSeriesInput,
  outlook: DemandOutlook,
  asOf: string,
  H: number,
): BacktestForecastPeriod[] {
  const out: BacktestForecastPeriod[] = [];
  for (const p of outlook.periods) {
    if (daysBetween(asOf, p.start) >= H) break;
    out.push({
      start: p.start,
      end: p.end,
      mean: p.mean,
      quantiles: p.quantiles,
      actual: sumDemand(series, p.start, p.end),
    });
  }
  return out;
}

function sumDemand(series: BacktestSeriesInput, start: string, end: string): number | null {
  const i0 = daysBetween(series.startDate, start);
  const i1 = daysBetween(series.startDate, end);
  if (i0 < 0 || i1 >= series.demand.length) return null;
  let s = 0;
  for (let i = i0; i <= i1; i++) {
    const d = series.demand[i];
    if (d === null || d === undefined || !Number.isFinite(d)) return null;
    s += d;
  }
  return s;
}

function stockedOutIn(series: BacktestSeriesInput, start: string, end: string): boolean {
  const i0 = Math.max(0, daysBetween(series.startDate, start));
  const i1 = daysBetween(series.startDate, end);
  for (let i = i0; i <= i1; i++) if (series.stockoutDays?.[i]) return true;
  return false;
}

function emptyErrors(): BacktestRow['errors'] {
  const e: ForecastErrors = { mase: null, rmsse: null, pinball: null };
  return { engine: e, naive: e, mean3: e };
}

/**
 * In-sample periods at the outlook's grain, ending the day before the first forecast period:
 * calendar months (monthly, irregular), 7-day blocks (weekly) or days (daily). Unknown → NaN.
 */
function inSamplePeriods(
  series: BacktestSeriesInput,
  grain: string,
  firstStart: string,
  a: number,
): number[] {
  const out: number[] = [];
  const endIdx = Math.min(a, daysBetween(series.startDate, firstStart)) - 1;
  if (grain === 'daily' || grain === 'weekly') {
    const len = grain === 'daily' ? 1 : 7;
    for (let e = endIdx; e - len + 1 >= 0; e -= len) {
      out.unshift(sumIdx(series, e - len + 1, e));
    }
    return out;
  }
  // Calendar months ending on or before endIdx.
  let e = endIdx;
  while (e >= 0) {
    const date = addDays(series.startDate, e);
    const [y, m] = date.split('-').map(Number) as [number, number];
    const first = e - (Number(date.slice(8, 10)) - 1);
    const last = first + daysInMonth(y, m) - 1;
    if (last > endIdx) {
      e = first - 1;
      continue;
    }
    if (first < 0) break;
    out.unshift(sumIdx(series, first, last));
    e = first - 1;
  }
  return out;
}

function sumIdx(series: BacktestSeriesInput, i0: number, i1: number): number {
  let s = 0;
  for (let i = i0; i <= i1; i++) {
    const d = series.demand[i];
    if (d === null || d === undefined || !Number.isFinite(d)) return Number.NaN;
    s += d;
  }
  return s;
}

/**
 * MASE, RMSSE and scaled pinball of the engine's period forecasts over the horizon, and of two
 * baselines on the same periods: naive (last in-sample period) and the mean of the last 3 periods,
 * each with Poisson quantiles at its mean. Scaled by the in-sample one-period naive MAE / RMSE.
 */
function forecastErrors(
  series: BacktestSeriesInput,
  outlook: DemandOutlook,
  periods: readonly BacktestForecastPeriod[],
  a: number,
): BacktestRow['errors'] {
  // A period with stock-out days recorded issues cut short by the stock-out, not demand: the
  // engine forecasts demand, so such periods would favour whichever forecast is lowest. Every
  // forecast (engine and baselines) is scored on the same periods, those with stock throughout.
  const known = periods.filter((p) => p.actual !== null && !stockedOutIn(series, p.start, p.end));
  if (known.length === 0 || periods.length === 0) return emptyErrors();
  const insample = inSamplePeriods(series, outlook.grain, periods[0]!.start, a);
  const finiteIns = insample.filter(Number.isFinite);
  const mae = naiveMae(insample);
  const rmse = naiveRmse(insample);
  if (!(mae > 0) || !(rmse > 0) || finiteIns.length === 0) return emptyErrors();
  const naiveF = finiteIns.at(-1)!;
  const last3 = finiteIns.slice(-3);
  const mean3F = last3.reduce((s, x) => s + x, 0) / last3.length;
  const score = (
    f: (p: BacktestForecastPeriod) => number,
    q: (p: BacktestForecastPeriod) => readonly number[],
  ) => {
    let abs = 0;
    let sq = 0;
    let pin = 0;
    for (const p of known) {
      const e = p.actual! - f(p);
      abs += Math.abs(e);
      sq += e * e;
      const qs = q(p);
      let s = 0;
      OUTLOOK_QUANTILES.forEach((tau, k) => {
        s += pinball(p.actual!, qs[k]!, tau);
      });
      pin += s / OUTLOOK_QUANTILES.length;
    }
    const k = known.length;
    return { mase: abs / k / mae, rmsse: Math.sqrt(sq / k) / rmse, pinball: pin / k / mae };
  };
  const poissonQs = (m: number) => OUTLOOK_QUANTILES.map((tau) => poissonQuantile(tau, Math.max(0, m)));
  const nq = poissonQs(naiveF);
  const mq = poissonQs(mean3F);
  return {
    engine: score(
      (p) => p.mean,
      (p) => p.quantiles,
    ),
    naive: score(
      () => naiveF,
      () => nq,
    ),
    mean3: score(
      () => mean3F,
      () => mq,
    ),
  };
}
