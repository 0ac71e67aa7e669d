/**
 * Stockout-probability benchmark on simulated clinics (issue 9 Targets): P(stockout within 30 days)
 * from the backtest core, scored on new stock-outs only, beside the months-of-stock rule and the
 * base rate on the same rows. Recalibration is fitted on one set of clinics and evaluated on another
 * (never on the evaluation rows). Pure computation here; stockout-calibration.bench.ts prints.
 */
import { type BacktestOptions, backtestItemLocation } from '../src/backtest/backtest-item-location.ts';
import type { BacktestParameters, BacktestRow, BacktestSummary } from '../src/backtest/backtest-types.ts';
import { scoredRows, summariseBacktest } from '../src/backtest/summarise.ts';
import { applyCalibration, type Calibration, fitCalibration } from '../src/calibration/calibration.ts';
import { fmt } from '../src/policy/explain.ts';
import {
  loadCarparts,
  loadSalesDailySeries,
  randomClinicSettings,
  simulateClinic,
} from './clinic-simulator.ts';

export interface CalibrationBenchResult {
  readonly name: string;
  readonly fitRows: readonly BacktestRow[];
  readonly evalRows: readonly BacktestRow[];
  readonly clinics: { readonly fit: number; readonly evaluate: number };
  readonly raw: BacktestSummary;
  readonly recalibrated: BacktestSummary | null;
  readonly calibration: Calibration | null;
}

export const CARPARTS_PARAMETERS: BacktestParameters = {
  from: '1999-01-01',
  to: '2002-03-01',
  step: 'monthly',
  horizonDays: 30,
  leadTime: { mode: 'recorded' },
};

/** Parts with some movement: at least 8 months with demand and 20 units over the 51 months. */
export function carpartsSelection(parts: readonly { part: string; monthly: number[] }[]) {
  return parts.filter(
    (p) => p.monthly.filter((x) => x > 0).length >= 8 && p.monthly.reduce((s, x) => s + x, 0) >= 20,
  );
}

function seedOf(s: string, k: number): number {
  let h = 2166136261 ^ k;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function runCarpartsCalibration(
  options: BacktestOptions & { limit?: number } = {},
): CalibrationBenchResult | null {
  const parts = loadCarparts();
  if (!parts) return null;
  const chosen = carpartsSelection(parts).slice(0, options.limit ?? Number.POSITIVE_INFINITY);
  const fitRows: BacktestRow[] = [];
  const evalRows: BacktestRow[] = [];
  let nFit = 0;
  let nEval = 0;
  chosen.forEach((p, i) => {
    const seed = seedOf(p.part, 1);
    const clinic = simulateClinic({
      seed,
      startDate: '1998-01-01',
      demand: { monthly: p.monthly },
      itemCode: p.part,
      siteCode: `clinic-${i}`,
      ...randomClinicSettings(seed),
    });
    const rows = backtestItemLocation(clinic.series, CARPARTS_PARAMETERS, options);
    // Alternate parts: even ones fit the recalibration, odd ones are evaluated.
    if (i % 2 === 0) {
      fitRows.push(...rows);
      nFit++;
    } else {
      evalRows.push(...rows);
      nEval++;
    }
  });
  return evaluate('carparts clinics', fitRows, evalRows, CARPARTS_PARAMETERS, { fit: nFit, evaluate: nEval });
}

export const SALES_PARAMETERS: BacktestParameters = {
  from: '2015-01-01',
  to: '2019-09-01',
  step: 'monthly',
  horizonDays: 30,
  leadTime: { mode: 'recorded' },
};

/** Eight real daily series, each run by several simulated clinics (different policies and seeds). */
export function runSalesCalibration(
  options: BacktestOptions & { clinicsPerSeries?: number } = {},
): CalibrationBenchResult | null {
  const data = loadSalesDailySeries();
  if (!data) return null;
  const k = options.clinicsPerSeries ?? 12;
  // Start at the first whole month.
  const start = '2014-02-01';
  const offset = 30; // 2014-01-02 + 30 days = 2014-02-01
  const fitRows: BacktestRow[] = [];
  const evalRows: BacktestRow[] = [];
  for (let j = 0; j < data.names.length; j++) {
    for (let c = 0; c < k; c++) {
      const seed = seedOf(data.names[j]!, 100 + c);
      const clinic = simulateClinic({
        seed,
        startDate: start,
        demand: { daily: data.daily[j]!.slice(offset) },
        itemCode: data.names[j]!,
        siteCode: `clinic-${c}`,
        ...randomClinicSettings(seed),
      });
      const rows = backtestItemLocation(clinic.series, SALES_PARAMETERS, options);
      (c % 2 === 0 ? fitRows : evalRows).push(...rows);
    }
  }
  const half = (data.names.length * k) / 2;
  return evaluate('salesdaily clinics', fitRows, evalRows, SALES_PARAMETERS, { fit: half, evaluate: half });
}

function evaluate(
  name: string,
  fitRows: readonly BacktestRow[],
  evalRows: readonly BacktestRow[],
  parameters: BacktestParameters,
  clinics: { fit: number; evaluate: number },
): CalibrationBenchResult {
  const raw = summariseBacktest(evalRows, parameters);
  const pairs = scoredRows(fitRows).map((r) => ({
    p: r.pWithinHorizon!,
    outcome: r.outcome === 'new_stockout',
  }));
  const calibration = fitCalibration(pairs, { method: 'isotonic' });
  const recalibrated = calibration
    ? summariseBacktest(
        evalRows.map((r) => ({ ...r, pWithinHorizon: applyCalibration(calibration, r.pWithinHorizon) })),
        parameters,
      )
    : null;
  return { name, fitRows, evalRows, clinics, raw, recalibrated, calibration };
}

/** Several populations as one catalogue (slow and fast movers side by side), fitted and evaluated alike. */
export function mergeResults(name: string, parts: readonly CalibrationBenchResult[]): CalibrationBenchResult {
  return evaluate(
    name,
    parts.flatMap((p) => p.fitRows),
    parts.flatMap((p) => p.evalRows),
    parts[0]!.raw.parameters,
    {
      fit: parts.reduce((s, p) => s + p.clinics.fit, 0),
      evaluate: parts.reduce((s, p) => s + p.clinics.evaluate, 0),
    },
  );
}

export interface TargetCheck {
  readonly brierGain: number | null;
  readonly brierOk: boolean;
  readonly worstDecileGap: number | null;
  readonly decilesOk: boolean;
  /** The same over deciles with at least 30 rows (smaller ones are mostly sampling noise). */
  readonly worstDecileGap30: number | null;
  readonly apRatio: number | null;
  readonly apOk: boolean;
}

/** The three simulator targets of issue 9 on one summary. */
export function checkTargets(s: BacktestSummary): TargetCheck {
  const gain = s.brier.engine !== null && s.brier.baseRate ? 1 - s.brier.engine / s.brier.baseRate : null;
  const gaps = s.calibration
    .filter((b) => b.rows > 0)
    .map((b) => Math.abs(b.meanPredicted! - b.observedRate!));
  const worst = gaps.length ? Math.max(...gaps) : null;
  const gaps30 = s.calibration
    .filter((b) => b.rows >= 30)
    .map((b) => Math.abs(b.meanPredicted! - b.observedRate!));
  const worst30 = gaps30.length ? Math.max(...gaps30) : null;
  const ap = s.alerts.engine.averagePrecision;
  const apMos = s.alerts.monthsOfStock.averagePrecision;
  const ratio = ap !== null && apMos ? ap / apMos : null;
  return {
    brierGain: gain,
    brierOk: gain !== null && gain >= 0.2,
    worstDecileGap: worst,
    decilesOk: worst !== null && worst <= 0.05,
    worstDecileGap30: worst30,
    apRatio: ratio,
    apOk: ratio !== null && ratio >= 1.3,
  };
}

export function formatResult(r: CalibrationBenchResult): string {
  const lines: string[] = [];
  const s = r.raw;
  lines.push(
    `${r.name}: ${r.clinics.fit} clinics fit the recalibration, ${r.clinics.evaluate} are evaluated; ${s.rows} evaluation rows, outcomes ${JSON.stringify(s.outcomes)}`,
  );
  lines.push(
    `  scored (stock > 0 at the as-of date): ${s.alerts.engine.rows} rows, ${s.alerts.engine.newStockouts} new stock-outs, base rate ${fmt(s.baseRate ?? Number.NaN, 3)}`,
  );
  const row = (label: string, x: BacktestSummary) => {
    const e = x.alerts.engine;
    const m = x.alerts.monthsOfStock;
    const t = checkTargets(x);
    lines.push(`  ${label}`);
    lines.push(
      `    average precision     engine ${fmt(e.averagePrecision ?? Number.NaN, 3)}   months-of-stock ${fmt(m.averagePrecision ?? Number.NaN, 3)}   ratio ${fmt(t.apRatio ?? Number.NaN)} (target ≥ 1.30: ${t.apOk ? 'met' : 'MISSED'})`,
    );
    lines.push(
      `    recall @ precision .25 engine ${fmt(e.recallAtPrecision25 ?? Number.NaN, 3)}   months-of-stock ${fmt(m.recallAtPrecision25 ?? Number.NaN, 3)}`,
    );
    lines.push(
      `    recall @ precision .35 engine ${fmt(e.recallAtPrecision35 ?? Number.NaN, 3)}   months-of-stock ${fmt(m.recallAtPrecision35 ?? Number.NaN, 3)}`,
    );
    lines.push(
      `    Brier                 engine ${fmt(x.brier.engine ?? Number.NaN, 4)}   base rate ${fmt(x.brier.baseRate ?? Number.NaN, 4)}   ${fmt((t.brierGain ?? Number.NaN) * 100, 1)}% below (target ≥ 20%: ${t.brierOk ? 'met' : 'MISSED'})`,
    );
    lines.push(
      `    alerts (p before receipt ≥ 0.2 or out): precision ${fmt(x.alertPrecision ?? Number.NaN, 3)}, recall ${fmt(x.alertRecall ?? Number.NaN, 3)}`,
    );
    lines.push(
      `    calibration deciles (rows: mean p → observed), worst gap ${fmt(t.worstDecileGap ?? Number.NaN, 3)} (target ≤ 0.05: ${t.decilesOk ? 'met' : 'MISSED'}); over deciles with ≥ 30 rows ${fmt(t.worstDecileGap30 ?? Number.NaN, 3)}`,
    );
    lines.push(
      `      ${x.calibration
        .map((b) =>
          b.rows
            ? `[${fmt(b.from, 1)},${fmt(b.to, 1)}) ${b.rows}: ${fmt(b.meanPredicted!, 3)}→${fmt(b.observedRate!, 3)}`
            : `[${fmt(b.from, 1)},${fmt(b.to, 1)}) 0`,
        )
        .join('  ')}`,
    );
  };
  row('raw model probabilities', s);
  if (r.recalibrated && r.calibration)
    row(
      `recalibrated (isotonic, fitted on ${r.calibration.rows} rows / ${r.calibration.positives} stock-outs of the other clinics)`,
      r.recalibrated,
    );
  else lines.push('  recalibration: not enough outcomes in the fitting clinics (null)');
  const f = s.forecast;
  lines.push(
    `  forecast over the horizon (same rows)  MASE engine ${fmt(f.engine.mase ?? Number.NaN, 3)} naive ${fmt(f.naive.mase ?? Number.NaN, 3)} 3-mean ${fmt(f.mean3.mase ?? Number.NaN, 3)} | RMSSE ${fmt(f.engine.rmsse ?? Number.NaN, 3)} / ${fmt(f.naive.rmsse ?? Number.NaN, 3)} / ${fmt(f.mean3.rmsse ?? Number.NaN, 3)} | pinball ${fmt(f.engine.pinball ?? Number.NaN, 3)} / ${fmt(f.naive.pinball ?? Number.NaN, 3)} / ${fmt(f.mean3.pinball ?? Number.NaN, 3)}`,
  );
  lines.push(`  verdict: ${s.verdict.en}`);
  lines.push(`  结论：${s.verdict.zh}`);
  return lines.join('\n');
}
