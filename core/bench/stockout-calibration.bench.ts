/**
 * Runner: node --import tsx core/bench/stockout-calibration.bench.ts (also run at the end of
 * `pnpm bench forecast-quality`). P(stockout within 30 days) on simulated monthly-reporting clinics,
 * each figure beside the months-of-stock rule and the base rate of the same rows. Skips clearly when
 * ../shared/data is absent.
 */
import { fileURLToPath } from 'node:url';
import { CARPARTS_URL, SALESDAILY_URL } from './clinic-simulator.ts';
import {
  type CalibrationBenchResult,
  checkTargets,
  formatResult,
  mergeResults,
  runCarpartsCalibration,
  runSalesCalibration,
} from './stockout-calibration.ts';

export function runStockoutCalibrationBench(): void {
  const t0 = performance.now();
  console.log(
    '\nStockout probability on simulated clinics — P(stockout within 30 days), monthly as-of dates',
  );
  console.log(
    'clinics: monthly reports (count, issued, stock-out days; 5% missing), report-and-requisition orders by min/max months',
  );
  console.log(
    'of stock, lead times 14–45 days ± 20% (15% late by 10–30 days). Scored on new stock-outs only (stock > 0 at the as-of date).',
  );
  console.log(
    'Recalibration (isotonic) is fitted on half of the clinics and evaluated on the other half, never on the evaluation rows.',
  );
  console.log(
    'targets: Brier ≥ 20% below the base rate; every decile within ±0.05; average precision ≥ 1.3 × the months-of-stock rule\n',
  );
  const results: CalibrationBenchResult[] = [];
  const car = runCarpartsCalibration();
  if (car) results.push(car);
  else
    console.log(
      `skipped carparts clinics: ${fileURLToPath(CARPARTS_URL)} missing (see shared/data/SOURCES.md)`,
    );
  const sales = runSalesCalibration();
  if (sales) results.push(sales);
  else
    console.log(
      `skipped salesdaily clinics: ${fileURLToPath(SALESDAILY_URL)} missing (see shared/data/SOURCES.md)`,
    );
  for (const r of results) console.log(`${formatResult(r)}\n`);
  if (results.length > 1) {
    const mixed = mergeResults('one catalogue (both populations)', results);
    console.log(`${formatResult(mixed)}\n`);
    results.push(mixed);
  }
  if (results.length) {
    console.log('targets (raw / recalibrated):');
    for (const r of results) {
      const a = checkTargets(r.raw);
      const b = r.recalibrated ? checkTargets(r.recalibrated) : null;
      const f = (x: number | null, d = 2) => (x === null ? 'n/a' : x.toFixed(d));
      console.log(
        `  ${r.name.padEnd(34)} Brier gain ${f(a.brierGain)} / ${f(b?.brierGain ?? null)}   worst decile gap ${f(a.worstDecileGap, 3)} / ${f(b?.worstDecileGap ?? null, 3)}   AP ÷ MOS ${f(a.apRatio)} / ${f(b?.apRatio ?? null)}`,
      );
    }
  }
  console.log(`stockout calibration ${((performance.now() - t0) / 1000).toFixed(1)}s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runStockoutCalibrationBench();
