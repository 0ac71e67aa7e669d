import { fmt } from '../policy/explain.ts';
import type {
  AlertScores,
  BacktestOutcome,
  BacktestParameters,
  BacktestRow,
  BacktestSummary,
  ForecastErrors,
} from './backtest-types.ts';
import { averagePrecision, brierScore, calibrationBins, recallAtPrecision } from './scores.ts';

/**
 * Rows scored for new stock-outs: stock > 0 at the as-of date, the outcome known (new stock-out or
 * none) and the engine's P(within horizon) computed. Already-out rows are never scored: a site at zero
 * is not a prediction.
 */
export function scoredRows(rows: readonly BacktestRow[]): BacktestRow[] {
  return rows.filter(
    (r) =>
      r.position !== null &&
      r.position > 0 &&
      (r.outcome === 'new_stockout' || r.outcome === 'none') &&
      r.pWithinHorizon !== null,
  );
}

export function alertScores(scores: readonly number[], labels: readonly boolean[]): AlertScores {
  return {
    rows: scores.length,
    newStockouts: labels.filter(Boolean).length,
    averagePrecision: averagePrecision(scores, labels),
    recallAtPrecision25: recallAtPrecision(scores, labels, 0.25),
    recallAtPrecision35: recallAtPrecision(scores, labels, 0.35),
  };
}

/** The months-of-stock rule as a ranking score: lower MOS is more alarming; no consumption is least. */
export function monthsOfStockScore(r: BacktestRow): number {
  return r.monthsOfStock === null ? Number.NEGATIVE_INFINITY : -r.monthsOfStock;
}

export function summariseBacktest(
  rows: readonly BacktestRow[],
  parameters: BacktestParameters,
): BacktestSummary {
  const keys = new Set(rows.map((r) => `${r.itemCode ?? ''}|${r.siteCode ?? ''}|${r.locationCode ?? ''}`));
  const outcomes: Record<BacktestOutcome, number> = { new_stockout: 0, already_out: 0, none: 0, unknown: 0 };
  for (const r of rows) outcomes[r.outcome]++;
  const scored = scoredRows(rows);
  const labels = scored.map((r) => r.outcome === 'new_stockout');
  const p = scored.map((r) => r.pWithinHorizon!);
  const positives = labels.filter(Boolean).length;
  const baseRate = scored.length ? positives / scored.length : null;
  const engine = alertScores(p, labels);
  const mos = alertScores(scored.map(monthsOfStockScore), labels);
  const alerted = scored.filter((r) => r.alertRaised);
  const tp = alerted.filter((r) => r.outcome === 'new_stockout').length;
  const brierEngine = brierScore(p, labels);
  const brierBase =
    baseRate === null
      ? null
      : brierScore(
          scored.map(() => baseRate),
          labels,
        );
  const forecast = {
    engine: meanErrors(rows, 'engine'),
    naive: meanErrors(rows, 'naive'),
    mean3: meanErrors(rows, 'mean3'),
  };
  return {
    parameters,
    itemLocations: keys.size,
    rows: rows.length,
    outcomes,
    baseRate,
    alerts: { engine, monthsOfStock: mos },
    alertPrecision: alerted.length ? tp / alerted.length : null,
    alertRecall: positives ? tp / positives : null,
    brier: { engine: brierEngine, baseRate: brierBase },
    calibration: calibrationBins(p, labels),
    forecast,
    verdict: verdict(parameters, scored.length, positives, engine, mos, brierEngine, brierBase, forecast),
  };
}

/**
 * Mean of each error over the rows where the engine and both baselines have a finite value for that
 * metric, so the three figures are always on the same rows.
 */
function meanErrors(rows: readonly BacktestRow[], who: 'engine' | 'naive' | 'mean3'): ForecastErrors {
  const m = (k: keyof ForecastErrors) => {
    const ok = rows.filter((r) =>
      (['engine', 'naive', 'mean3'] as const).every((w) => {
        const v = r.errors[w][k];
        return v !== null && Number.isFinite(v);
      }),
    );
    return ok.length ? ok.reduce((s, r) => s + r.errors[who][k]!, 0) / ok.length : null;
  };
  return { mase: m('mase'), rmsse: m('rmsse'), pinball: m('pinball') };
}

function verdict(
  parameters: BacktestParameters,
  scored: number,
  positives: number,
  engine: AlertScores,
  mos: AlertScores,
  brierEngine: number | null,
  brierBase: number | null,
  forecast: BacktestSummary['forecast'],
): { zh: string; en: string } {
  const H = fmt(parameters.horizonDays, 0);
  if (scored === 0 || positives === 0)
    return {
      en: `No new stock-outs within ${H} days among ${scored} rows with stock: nothing to score yet.`,
      zh: `${scored} 条有库存的记录中，${H}天内没有新发生的缺货，暂无法评分。`,
    };
  const ap = engine.averagePrecision ?? 0;
  const apMos = mos.averagePrecision ?? 0;
  const ahead = ap > apMos;
  const rankEn = ahead
    ? `The engine ranks new stock-outs better than the months-of-stock rule (average precision ${fmt(ap)} vs ${fmt(apMos)})`
    : `The engine does NOT rank new stock-outs better than the months-of-stock rule (average precision ${fmt(ap)} vs ${fmt(apMos)})`;
  const rankZh = ahead
    ? `对新发生缺货的排序优于“库存月数”规则（平均精度 ${fmt(ap)}，规则 ${fmt(apMos)}）`
    : `对新发生缺货的排序未能优于“库存月数”规则（平均精度 ${fmt(ap)}，规则 ${fmt(apMos)}）`;
  let calEn = '';
  let calZh = '';
  if (brierEngine !== null && brierBase !== null && brierBase > 0) {
    const gain = 1 - brierEngine / brierBase;
    calEn =
      gain > 0
        ? `; Brier ${fmt(brierEngine, 3)}, ${fmt(gain * 100, 0)}% below always predicting the base rate (${fmt(brierBase, 3)})`
        : `; Brier ${fmt(brierEngine, 3)} is no better than always predicting the base rate (${fmt(brierBase, 3)})`;
    calZh =
      gain > 0
        ? `；Brier 分数 ${fmt(brierEngine, 3)}，比始终预测基础缺货率（${fmt(brierBase, 3)}）低 ${fmt(gain * 100, 0)}%`
        : `；Brier 分数 ${fmt(brierEngine, 3)}，不优于始终预测基础缺货率（${fmt(brierBase, 3)}）`;
  }
  const f = forecast;
  let fEn = '';
  let fZh = '';
  if (f.engine.mase !== null && f.naive.mase !== null && f.mean3.mase !== null) {
    fEn = `; forecast MASE ${fmt(f.engine.mase)} vs naive ${fmt(f.naive.mase)} and 3-period mean ${fmt(f.mean3.mase)}`;
    fZh = `；预测 MASE ${fmt(f.engine.mase)}，朴素法 ${fmt(f.naive.mase)}，3期均值 ${fmt(f.mean3.mase)}`;
  }
  return {
    en: `${rankEn}${calEn}${fEn}. ${positives} new stock-outs within ${H} days in ${scored} rows with stock.`,
    zh: `本引擎${rankZh}${calZh}${fZh}。${scored} 条有库存的记录中 ${H}天内新发生缺货 ${positives} 次。`,
  };
}
