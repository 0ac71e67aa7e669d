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
