import type { DemandClass } from '../forecast/types.ts';
import { leadTimeDemand } from '../policy/index.ts';
import { mean } from '../stats/index.ts';
import type { Forecaster } from './engine-input.ts';

export type BacktestStep = 'daily' | 'weekly' | 'monthly';

export interface BacktestSeries {
  /** Daily demand, oldest first; index i is day `startDate + i`. */
  history: number[];
  /** End-of-day on-hand aligned with history, when the ledger knows it (null: unknown). */
  balance: (number | null)[];
  startDate: string;
  leadTimeDays: number;
  leadTimeSdDays: number;
  serviceLevel: number;
  maxProbability: number;
}

export interface BacktestRow {
  asOf: string;
  model: string;
  forecastMean: number;
  actualMean: number;
  stockoutProbability: number;
  alertRaised: boolean;
  stockoutHappened: boolean;
  mase: number;
  rmsse: number;
}

const DAY = 86_400_000;
const addDays = (iso: string, d: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + d * DAY).toISOString().slice(0, 10);

/** As-of indices between from and to (inclusive), every day, week or calendar month. */
export function asOfIndices(startDate: string, from: string, to: string, step: BacktestStep): number[] {
  const out: number[] = [];
  const start = Date.parse(`${startDate}T00:00:00Z`);
  let d = new Date(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  while (d.getTime() <= end) {
    out.push(Math.round((d.getTime() - start) / DAY));
    if (step === 'daily') d = new Date(d.getTime() + DAY);
    else if (step === 'weekly') d = new Date(d.getTime() + 7 * DAY);
    else d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()));
  }
  return out;
}

function scaled(history: number[], actual: number[], forecast: number[]) {
  const diffs = history.slice(1).map((x, i) => x - history[i]!);
  const mae = diffs.length ? mean(diffs.map(Math.abs)) : Number.NaN;
  const mse = diffs.length ? mean(diffs.map((x) => x * x)) : Number.NaN;
  const errs = actual.map((a, i) => a - (forecast[i] ?? 0));
  return {
    mase: mae > 0 ? mean(errs.map(Math.abs)) / mae : Number.NaN,
    rmsse: mse > 0 ? Math.sqrt(mean(errs.map((e) => e * e)) / mse) : Number.NaN,
  };
}

/**
 * Replays the engine on one item-location: at each as-of date, using only the demand known
 * before it, forecast the next `horizon` days and compute the stockout probability before the
 * next possible receipt from that day's real position; then look at what happened. A stockout
 * "happened" when the ledger's on-hand reached zero within the lead time.
 */
export function backtestSeries(
  s: BacktestSeries,
  asOf: number[],
  forecaster: Forecaster,
  horizon = 28,
): BacktestRow[] {
  const rows: BacktestRow[] = [];
  const L = Math.max(1, Math.ceil(s.leadTimeDays));
  let chosen: { name: string; score: number | null } | undefined;
  for (const a of asOf) {
    if (a < 28 || a + horizon > s.history.length) continue;
    const known = s.history.slice(0, a);
    const fc = forecaster(known, { horizon, previousModel: chosen });
    // The model is chosen once, at the first as-of date, and refitted on the data known at each later one.
    chosen ??= { name: fc.model, score: fc.score };
    const actual = s.history.slice(a, a + horizon);
    const dBar = mean(fc.daily.slice(0, L));
    const demandClass = (['smooth', 'erratic', 'intermittent', 'lumpy'] as const).find(
      (c) => c === fc.demandClass,
    ) as DemandClass | undefined;
    const dist = leadTimeDemand({
      demandClass,
      dailyMean: dBar,
      dailySd: fc.residualSd,
      leadTimeMean: s.leadTimeDays,
      leadTimeSd: s.leadTimeSdDays,
    });
    const position = s.balance[a - 1] ?? null;
    const p = position === null ? Number.NaN : Math.min(1, Math.max(0, 1 - dist.cdf(position)));
    const window = s.balance.slice(a, a + L);
    const stockout = position !== null && (position <= 0 || window.some((b) => b !== null && b <= 0));
    const { mase, rmsse } = scaled(known, actual, fc.daily);
    rows.push({
      asOf: addDays(s.startDate, a),
      model: fc.model,
      forecastMean: mean(fc.daily.slice(0, horizon)),
      actualMean: mean(actual),
      stockoutProbability: p,
      alertRaised: position !== null && (position <= 0 || p > s.maxProbability),
      stockoutHappened: stockout,
      mase,
      rmsse,
    });
  }
  return rows;
}

export interface BacktestSummary {
  rows: number;
  alerts: number;
  stockouts: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
  meanMase: number | null;
  meanRmsse: number | null;
}

export function summariseBacktest(rows: BacktestRow[]): BacktestSummary {
  const withStock = rows.filter((r) => Number.isFinite(r.stockoutProbability));
  const alerts = withStock.filter((r) => r.alertRaised).length;
  const stockouts = withStock.filter((r) => r.stockoutHappened).length;
  const tp = withStock.filter((r) => r.alertRaised && r.stockoutHappened).length;
  const finiteMean = (xs: number[]) => {
    const f = xs.filter(Number.isFinite);
    return f.length ? Math.round(mean(f) * 10_000) / 10_000 : null;
  };
  return {
    rows: rows.length,
    alerts,
    stockouts,
    truePositives: tp,
    precision: alerts ? Math.round((tp / alerts) * 10_000) / 10_000 : null,
    recall: stockouts ? Math.round((tp / stockouts) * 10_000) / 10_000 : null,
    meanMase: finiteMean(rows.map((r) => r.mase)),
    meanRmsse: finiteMean(rows.map((r) => r.rmsse)),
  };
}
