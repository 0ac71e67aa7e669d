/**
 * Forecast-quality and policy benchmark on the real pharmacy demand fixture
 * (/work/shared/data/salesdaily.csv, see shared/data/SOURCES.md). Pure computation lives here so a
 * test can run a reduced version; forecast-quality.bench.ts is the thin runner.
 *
 * Forecast protocol (as the reference figures): 28 days ahead, 13 rolling origins 28 days apart,
 * the last test window ending on the last day; RMSSE scaled by the in-sample one-step naive RMSE
 * of the training part; mean over series × origins. The engine only ever sees the training part:
 * model choice is an inner rolling-origin backtest on it, closed days are learnt from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  addDays,
  applyClosures,
  closedDays,
  type DemandClass,
  daysBetween,
  forecastOutlook,
  horizonSumErrors,
  learnClosureCalendar,
  type Model,
  naive,
  rmsse,
  sba,
  selectModel,
  ses,
} from '../src/forecast/index.ts';
import {
  negativeBinomialLeadTimeDemand,
  orderUpToPolicy,
  type SimulationResult,
  simulatePolicy,
  tuneMinMax,
} from '../src/policy/index.ts';
import { negBinQuantile, poissonQuantile } from '../src/stats/discrete.ts';
import { normalInv } from '../src/stats/normal.ts';

export const DEFAULT_DATA_URL = new URL('../../../shared/data/salesdaily.csv', import.meta.url);

export interface SalesData {
  readonly names: string[];
  /** ISO dates, one per row. */
  readonly dates: string[];
  /** One daily series per drug category, aligned with dates. */
  readonly series: number[][];
  /** Days on which every category sold nothing: the pharmacy was closed. */
  readonly closed: boolean[];
}

/** Reads and parses the CSV; null when the file is absent (callers skip with a message). */
export function loadSalesDaily(url: URL = DEFAULT_DATA_URL): SalesData | null {
  if (!existsSync(url)) return null;
  return parseSalesDaily(readFileSync(url, 'utf8'));
}

/** Columns: datum (m/d/yyyy), 8 categories, then Year, Month, Hour, Weekday Name. CRLF lines. */
export function parseSalesDaily(text: string): SalesData {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0);
  const header = lines[0]!.split(',');
  const names = header.slice(1, 9);
  const dates: string[] = [];
  const series: number[][] = names.map(() => []);
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const [m, d, y] = cells[0]!.split('/');
    dates.push(`${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`);
    for (let j = 0; j < names.length; j++) series[j]!.push(Number(cells[j + 1]));
  }
  return { names, dates, series, closed: closedDays(series) };
}

/** Produces a horizon-day forecast from the training prefix of series `j` (rows 0..end-1). */
export type Forecaster = (data: SalesData, j: number, end: number, horizon: number) => number[];

export function modelForecaster(model: Model): Forecaster {
  return (data, j, end, h) => model.fit(data.series[j]!.slice(0, end)).forecast(h);
}

export interface EngineOptions {
  /** Inner backtest origins on the training data. Default 6. */
  readonly innerOrigins?: number;
  /** Learn closed days from the training history and forecast 0 on them. Default true. */
  readonly closureCalendar?: boolean;
}

/**
 * The engine: censor closed days, choose a model per series by inner backtest (default pool per
 * demand class, best single vs mean of top 2), refit on all training data, zero the days a learnt
 * closure calendar says the pharmacy will be closed.
 */
export function engineForecaster(options: EngineOptions = {}): Forecaster {
  return (data, j, end, h) => {
    const censored = data.closed.slice(0, end);
    const sel = selectModel(data.series[j]!.slice(0, end), {
      horizon: h,
      origins: options.innerOrigins ?? 6,
      fitOptions: { censored },
    });
    const f = sel.forecast(h);
    if (options.closureCalendar === false) return f;
    return applyClosures(f, data.dates[end]!, learnClosureCalendar(data.dates.slice(0, end), censored));
  };
}

export interface ProtocolOptions {
  readonly horizon?: number;
  readonly origins?: number;
  readonly step?: number;
}

export interface MethodScore {
  readonly method: string;
  /** Mean RMSSE over series × origins. */
  readonly rmsse: number;
  /** Mean RMSSE per series over origins. */
  readonly perSeries: number[];
  readonly ms: number;
}

/** Rolling-origin RMSSE of one forecaster over all series. */
export function evaluateForecaster(
  data: SalesData,
  method: string,
  forecaster: Forecaster,
  protocol: ProtocolOptions = {},
): MethodScore {
  const h = protocol.horizon ?? 28;
  const origins = protocol.origins ?? 13;
  const step = protocol.step ?? 28;
  const t0 = performance.now();
  const perSeries = data.series.map((s, j) => {
    let acc = 0;
    for (let i = origins - 1; i >= 0; i--) {
      const end = s.length - h - i * step;
      const train = s.slice(0, end);
      acc += rmsse(s.slice(end, end + h), forecaster(data, j, end, h), train);
    }
    return acc / origins;
  });
  return {
    method,
    rmsse: perSeries.reduce((a, b) => a + b, 0) / perSeries.length,
    perSeries,
    ms: performance.now() - t0,
  };
}

/** The benchmark table: naive, SES, SBA, the engine and (for transparency) the engine without its closure calendar. */
export function runForecastBenchmark(
  data: SalesData,
  protocol: ProtocolOptions = {},
  engine: EngineOptions = {},
): MethodScore[] {
  return [
    evaluateForecaster(data, 'naive', modelForecaster(naive()), protocol),
    evaluateForecaster(data, 'SES', modelForecaster(ses()), protocol),
    evaluateForecaster(data, 'SBA', modelForecaster(sba()), protocol),
    evaluateForecaster(data, 'engine', engineForecaster(engine), protocol),
    evaluateForecaster(
      data,
      'engine w/o closure calendar',
      engineForecaster({ ...engine, closureCalendar: false }),
      protocol,
    ),
    evaluateForecaster(data, 'forecastOutlook (no closure calendar)', outlookForecaster(), protocol),
  ];
}

export function formatForecastTable(data: SalesData, rows: readonly MethodScore[]): string {
  const w = Math.max(...rows.map((r) => r.method.length), 6);
  const head = `${'method'.padEnd(w)}  RMSSE   ${data.names.map((n) => n.padStart(6)).join(' ')}   time`;
  const body = rows.map(
    (r) =>
      `${r.method.padEnd(w)}  ${r.rmsse.toFixed(3)}   ${r.perSeries.map((v) => v.toFixed(3).padStart(6)).join(' ')}   ${(r.ms / 1000).toFixed(1)}s`,
  );
  return [head, '-'.repeat(head.length), ...body].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Policy simulation

export interface PolicyBenchOptions {
  /** Target cycle service levels. Default [0.95, 0.98]. */
  readonly serviceLevels?: readonly number[];
  readonly leadTimeDays?: number;
  /** Simulated period at the end of the data. Default 364 days. */
  readonly testDays?: number;
  /** Forecast refit interval inside the simulated period. Default 7 days. */
  readonly refitDays?: number;
  readonly innerOrigins?: number;
  /** Number of recent protection-interval errors σ is computed from. Default 26 (half a year of weeks). */
  readonly errorWindow?: number;
}

export interface PolicyRow {
  readonly series: string;
  readonly targetCsl: number;
  readonly dynamic: SimulationResult;
  readonly staticMinMax: { min: number; max: number; result: SimulationResult } | null;
  /** 1 − dynamic average on-hand / static average on-hand at (at least) equal fill rate. */
  readonly inventorySaving: number;
}

/**
 * Rolling forecasts for the simulated period: the engine picks a model on the data before the
 * period, refits it every `refitDays` on all data up to that day, and the closure calendar is
 * re-learnt at each refit. Returns, per review at the end of day t of the period (t = −1 is the
 * day before it), the forecast sum over days t+1..t+L+1 — the protection interval of a daily-review
 * order — and σ of that sum: the RMS of the last `errorWindow` protection-interval errors known at
 * that time (rolling origins before the period, then the realised errors of each refit).
 */
export function rollingProtectionForecasts(
  data: SalesData,
  j: number,
  options: Required<
    Pick<PolicyBenchOptions, 'leadTimeDays' | 'testDays' | 'refitDays' | 'innerOrigins' | 'errorWindow'>
  >,
): { mu: number[]; sigma: number[]; modelName: string; demandClass: DemandClass } {
  const s = data.series[j]!;
  const start = s.length - options.testDays;
  const protect = options.leadTimeDays + 1;
  const censoredAll = data.closed;
  const sel = selectModel(s.slice(0, start), {
    horizon: 28,
    origins: options.innerOrigins,
    fitOptions: { censored: censoredAll.slice(0, start) },
  });
  const errors = horizonSumErrors(s.slice(0, start), sel.model, protect, {
    origins: options.errorWindow,
    step: 7,
    fitOptions: { censored: censoredAll.slice(0, start) },
  });
  // Realised errors become known once their interval has passed: [dayKnown, error].
  const pending: [number, number][] = [];
  const mu: number[] = [];
  const sigma: number[] = [];
  for (let r = start - 1; r < s.length - 1; r += options.refitDays) {
    while (pending.length > 0 && pending[0]![0] <= r) errors.push(pending.shift()![1]);
    const recent = errors.slice(-options.errorWindow);
    const sd = Math.sqrt(recent.reduce((a, e) => a + e * e, 0) / Math.max(1, recent.length));
    // Refit at the end of day r (data 0..r), forecast from day r+1.
    const end = r + 1;
    const fit = sel.model.fit(s.slice(0, end), { censored: censoredAll.slice(0, end) });
    const cal = learnClosureCalendar(data.dates.slice(0, end), censoredAll.slice(0, end));
    const f = applyClosures(
      fit.forecast(options.refitDays + protect),
      data.dates[end] ?? addDays(data.dates[end - 1]!, 1),
      cal,
    );
    for (let k = 0; k < options.refitDays; k++) {
      let acc = 0;
      for (let i = k; i < k + protect; i++) acc += f[i]!;
      mu.push(acc);
      sigma.push(sd);
    }
    if (end + protect <= s.length) {
      let actual = 0;
      for (let i = 0; i < protect; i++) actual += data.closed[end + i] ? Number.NaN : s[end + i]!;
      let fc = 0;
      for (let i = 0; i < protect; i++) fc += f[i]!;
      if (Number.isFinite(actual)) pending.push([end + protect - 1, actual - fc]);
    }
  }
  return { mu, sigma, modelName: sel.modelName, demandClass: sel.class };
}

export function runPolicyBenchmark(data: SalesData, options: PolicyBenchOptions = {}): PolicyRow[] {
  const o = {
    leadTimeDays: options.leadTimeDays ?? 7,
    testDays: options.testDays ?? 364,
    refitDays: options.refitDays ?? 7,
    innerOrigins: options.innerOrigins ?? 6,
    errorWindow: options.errorWindow ?? 26,
  };
  const levels = options.serviceLevels ?? [0.95, 0.98];
  const rows: PolicyRow[] = [];
  data.series.forEach((s, j) => {
    const demand = s.slice(s.length - o.testDays);
    // Index t + 1 holds the review at the end of test day t; index 0 is the day before the period.
    const { mu, sigma, demandClass } = rollingProtectionForecasts(data, j, o);
    const discrete = demandClass === 'intermittent' || demandClass === 'lumpy';
    for (const csl of levels) {
      const z = normalInv(csl);
      // Intermittent items: the CSL-quantile of a negative binomial lead-time demand, not the normal.
      const level = (t: number) => {
        const i = Math.min(t + 1, mu.length - 1);
        if (discrete) return negativeBinomialLeadTimeDemand(mu[i]!, sigma[i]! ** 2).quantile(csl);
        return mu[i]! + z * sigma[i]!;
      };
      const dynamic = simulatePolicy(
        demand,
        orderUpToPolicy((st) => level(st.day)),
        { leadTimeDays: o.leadTimeDays, initialOnHand: level(-1), warmupDays: o.leadTimeDays + 1 },
      );
      const staticMinMax = tuneMinMax(demand, {
        targetFillRate: dynamic.fillRate,
        leadTimeDays: o.leadTimeDays,
        warmupDays: o.leadTimeDays + 1,
      });
      rows.push({
        series: data.names[j]!,
        targetCsl: csl,
        dynamic,
        staticMinMax,
        inventorySaving: staticMinMax
          ? 1 - dynamic.averageOnHand / staticMinMax.result.averageOnHand
          : Number.NaN,
      });
    }
  });
  return rows;
}

export function formatPolicyTable(rows: readonly PolicyRow[]): string {
  const head =
    'series  target  CSL achieved  fill rate  avg stock (dyn)  static min/max  avg stock (static)  fill (static)  saving';
  const line = (r: PolicyRow) =>
    `${r.series.padEnd(6)}  ${(r.targetCsl * 100).toFixed(0).padStart(5)}%  ${(r.dynamic.cycleServiceLevel * 100).toFixed(1).padStart(11)}%  ${(r.dynamic.fillRate * 100).toFixed(1).padStart(8)}%  ${r.dynamic.averageOnHand.toFixed(1).padStart(15)}  ${
      r.staticMinMax
        ? `${r.staticMinMax.min.toFixed(1)}/${r.staticMinMax.max.toFixed(1)}`.padStart(14)
        : 'n/a'.padStart(14)
    }  ${(r.staticMinMax?.result.averageOnHand ?? Number.NaN).toFixed(1).padStart(18)}  ${((r.staticMinMax?.result.fillRate ?? Number.NaN) * 100).toFixed(1).padStart(12)}%  ${(r.inventorySaving * 100).toFixed(1).padStart(5)}%`;
  const out = [head, '-'.repeat(head.length)];
  const levels = [...new Set(rows.map((r) => r.targetCsl))];
  for (const csl of levels) {
    const rs = rows.filter((r) => r.targetCsl === csl);
    out.push(...rs.map(line));
    const mean = (f: (r: PolicyRow) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    const dynDays =
      rs.reduce((a, r) => a + r.dynamic.averageOnHand / (r.dynamic.totalDemand / r.dynamic.days), 0) /
      rs.length;
    const stDays =
      rs.reduce(
        (a, r) =>
          a + (r.staticMinMax?.result.averageOnHand ?? Number.NaN) / (r.dynamic.totalDemand / r.dynamic.days),
        0,
      ) / rs.length;
    out.push(
      `mean    ${(csl * 100).toFixed(0).padStart(5)}%  ${(mean((r) => r.dynamic.cycleServiceLevel) * 100).toFixed(1).padStart(11)}%  ${(mean((r) => r.dynamic.fillRate) * 100).toFixed(1).padStart(8)}%  ${`${dynDays.toFixed(2)} d`.padStart(15)}  ${''.padStart(14)}  ${`${stDays.toFixed(2)} d`.padStart(18)}  ${(mean((r) => r.staticMinMax?.result.fillRate ?? Number.NaN) * 100).toFixed(1).padStart(12)}%  ${(mean((r) => r.inventorySaving) * 100).toFixed(1).padStart(5)}%`,
      '',
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// forecastOutlook: the engine's demand outlook on salesdaily and on the carparts monthly fixture

export const CARPARTS_URL = new URL('../../../shared/data/carparts.csv', import.meta.url);

export interface Carparts {
  /** Parts with all 51 months present (empty cells are missing, not zero). */
  readonly series: number[][];
  /** First day of month i, i = 0 … 51 (Jan 1998 …). */
  readonly monthStart: string[];
}

export function loadCarparts(url: URL = CARPARTS_URL): Carparts | null {
  if (!existsSync(url)) return null;
  const lines = readFileSync(url, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const months = lines[0]!.split(',').length - 1;
  const series: number[][] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',').slice(1);
    if (cells.length !== months || cells.some((c) => c.trim() === '')) continue;
    series.push(cells.map(Number));
  }
  const monthStart = Array.from(
    { length: months + 1 },
    (_, i) => `${1998 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`,
  );
  return { series, monthStart };
}

/**
 * What the engine sees of a monthly-reported series at the start of month `origin`: a daily
 * ledger from 1998-01-01 where each month's issued quantity is one movement on its last day.
 */
export function carpartsLedger(data: Carparts, s: readonly number[], origin: number): number[] {
  const start = data.monthStart[0]!;
  const h = new Array<number>(daysBetween(start, data.monthStart[origin]!)).fill(0);
  for (let i = 0; i < origin; i++) h[daysBetween(start, data.monthStart[i + 1]!) - 1] = s[i]!;
  return h;
}

const QUANTILE_LEVELS = [0.5, 0.8, 0.9, 0.95, 0.99] as const;
const pinballLoss = (y: number, q: number, p: number) => (y >= q ? p * (y - q) : (1 - p) * (q - y));
const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function rollingSums(xs: readonly number[], k: number): number[] {
  const out: number[] = [];
  for (let t = k; t <= xs.length; t++) {
    let s = 0;
    for (let i = t - k; i < t; i++) s += xs[i]!;
    out.push(s);
  }
  return out;
}

/** A quantile forecaster for the 3-month sum from the first `origin` months. */
export type SumQuantiles = (data: Carparts, s: readonly number[], origin: number) => (p: number) => number;

export const carpartsBaselines: Record<string, SumQuantiles> = {
  'Poisson(3 × mean of last 12)': (_d, s, o) => {
    const m = 3 * meanOf(s.slice(o - 12, o));
    return (p) => poissonQuantile(p, m);
  },
  'negative binomial of 3-month sums': (_d, s, o) => {
    const sums: number[] = [];
    for (let t = o; t >= 3; t -= 3) sums.push(s[t - 3]! + s[t - 2]! + s[t - 1]!);
    const m = meanOf(sums);
    const v = sums.reduce((a, x) => a + (x - m) ** 2, 0) / (sums.length - 1);
    return (p) => negBinQuantile(p, m, v);
  },
  'empirical quantiles of 3-month sums': (_d, s, o) => {
    const sums = rollingSums(s.slice(0, o), 3).sort((a, b) => a - b);
    return (p) => sums[Math.min(sums.length - 1, Math.ceil(p * sums.length) - 1)]!;
  },
};

/** The engine: forecastOutlook on the month-end ledger, total over the next three months. */
export const outlookSumQuantiles: SumQuantiles = (data, s, o) => {
  const days = daysBetween(data.monthStart[o]!, data.monthStart[o + 3]!);
  const out = forecastOutlook({
    history: carpartsLedger(data, s, o),
    startDate: data.monthStart[0]!,
    horizonDays: days,
  });
  const t = out.total(0, days);
  return (p) => t.quantile(p);
};

export interface QuantileScore {
  readonly method: string;
  /** Mean over series × origins of the scaled mean pinball loss. */
  readonly pinball: number;
  /** Share of outcomes at or below the 0.95 quantile. */
  readonly coverage95: number;
  readonly rows: number;
  readonly ms: number;
}

/**
 * Cumulative demand of the next 3 months at each origin, pinball loss at 0.5/0.8/0.9/0.95/0.99
 * averaged, scaled by the in-sample mean |3-month sum − previous 3-month sum| (rolling sums, lag 3);
 * series × origins with a zero scale are dropped.
 */
export function evaluateCarpartsQuantiles(
  data: Carparts,
  method: string,
  f: SumQuantiles,
  origins: readonly number[] = [39, 42, 45, 48],
): QuantileScore {
  const t0 = performance.now();
  let loss = 0;
  let cov = 0;
  let n = 0;
  for (const s of data.series) {
    for (const o of origins) {
      const sums = rollingSums(s.slice(0, o), 3);
      let d = 0;
      for (let i = 3; i < sums.length; i++) d += Math.abs(sums[i]! - sums[i - 3]!);
      const scale = d / (sums.length - 3);
      if (!(scale > 0)) continue;
      const y = s[o]! + s[o + 1]! + s[o + 2]!;
      const q = f(data, s, o);
      let l = 0;
      for (const p of QUANTILE_LEVELS) l += pinballLoss(y, q(p), p);
      loss += l / QUANTILE_LEVELS.length / scale;
      if (y <= q(0.95)) cov++;
      n++;
    }
  }
  return { method, pinball: loss / n, coverage95: cov / n, rows: n, ms: performance.now() - t0 };
}

/** Point forecasts for the 12 months after `origin`. */
export type MonthlyPoint = (data: Carparts, s: readonly number[], origin: number) => number[];

export const carpartsPointBaselines: Record<string, MonthlyPoint> = {
  zero: () => new Array<number>(12).fill(0),
  naive: (_d, s, o) => new Array<number>(12).fill(s[o - 1]!),
  'mean of last 12': (_d, s, o) => new Array<number>(12).fill(meanOf(s.slice(o - 12, o))),
  'SES α 0.1': (_d, s, o) => {
    let l = meanOf(s.slice(0, 10));
    for (let i = 0; i < o; i++) l += 0.1 * (s[i]! - l);
    return new Array<number>(12).fill(l);
  },
};

export const outlookMonthlyPoint: MonthlyPoint = (data, s, o) => {
  const days = daysBetween(data.monthStart[o]!, data.monthStart[o + 12]!);
  const out = forecastOutlook({
    history: carpartsLedger(data, s, o),
    startDate: data.monthStart[0]!,
    horizonDays: days,
  });
  return out.periods.slice(0, 12).map((p) => p.mean);
};

/** RMSSE of the 12 monthly forecasts made at `origin`, scaled by the in-sample naive RMSE. */
export function evaluateCarpartsRmsse(
  data: Carparts,
  method: string,
  f: MonthlyPoint,
  origin = 39,
): MethodScore {
  const t0 = performance.now();
  const perSeries: number[] = [];
  for (const s of data.series) {
    const train = s.slice(0, origin);
    const r = rmsse(s.slice(origin, origin + 12), f(data, s, origin), train);
    if (Number.isFinite(r)) perSeries.push(r);
  }
  return { method, rmsse: meanOf(perSeries), perSeries, ms: performance.now() - t0 };
}

/** salesdaily through forecastOutlook (closed days passed as censored, no closure calendar). */
export function outlookForecaster(): Forecaster {
  return (data, j, end, h) =>
    forecastOutlook({
      history: data.series[j]!.slice(0, end),
      startDate: data.dates[0]!,
      censored: data.closed.slice(0, end),
      horizonDays: h,
    }).daily.slice(0, h);
}

/** CPU µs per forecastOutlook call on a series (after warm-up). */
export function outlookMicros(
  history: readonly number[],
  startDate: string,
  horizonDays: number,
  calls = 300,
): number {
  const input = { history, startDate, horizonDays };
  for (let i = 0; i < 30; i++) forecastOutlook(input).periods;
  const c0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) forecastOutlook(input).periods;
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / calls;
}
