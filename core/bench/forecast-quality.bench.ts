/**
 * Runner: node --import tsx core/bench/forecast-quality.bench.ts
 * Prints the forecast-accuracy table (mean RMSSE, 28 days ahead, 13 rolling origins) and the
 * policy simulation. Exits 0 with a "skipped" message when the data file is absent.
 */
import { fileURLToPath } from 'node:url';
import {
  CARPARTS_URL,
  carpartsBaselines,
  carpartsLedger,
  carpartsPointBaselines,
  DEFAULT_DATA_URL,
  evaluateCarpartsQuantiles,
  evaluateCarpartsRmsse,
  formatForecastTable,
  formatPolicyTable,
  loadCarparts,
  loadSalesDaily,
  outlookMicros,
  outlookMonthlyPoint,
  outlookSumQuantiles,
  runForecastBenchmark,
  runPolicyBenchmark,
} from './forecast-quality.ts';

const data = loadSalesDaily();
if (!data) {
  console.log(`skipped: ${fileURLToPath(DEFAULT_DATA_URL)} missing (see shared/data/SOURCES.md)`);
  process.exit(0);
}

const t0 = performance.now();
console.log(
  `salesdaily.csv: ${data.series.length} series × ${data.dates.length} days (${data.dates[0]} … ${data.dates.at(-1)}), ${data.closed.filter(Boolean).length} closed days`,
);
console.log(
  '\nForecast accuracy — 28 days ahead, 13 rolling origins 28 days apart, mean RMSSE (lower is better)',
);
console.log(
  'reference (other measurement, same protocol): naive 1.013, SES 0.772, SBA 0.767; target for the engine ≤ 0.73\n',
);
const rows = runForecastBenchmark(data);
console.log(formatForecastTable(data, rows));

console.log(
  'target for forecastOutlook (same protocol, no closure calendar): ≤ 0.72; engine w/o calendar before it 0.739',
);

const carparts = loadCarparts();
if (!carparts) {
  console.log(`\ncarparts skipped: ${fileURLToPath(CARPARTS_URL)} missing (see shared/data/SOURCES.md)`);
} else {
  console.log(
    `\ncarparts.csv: ${carparts.series.length} complete series × 51 months, fed to forecastOutlook as a daily ledger with each month's issues on its last day`,
  );
  console.log(
    '\nCumulative demand of the next 3 months, origins 39/42/45/48, quantiles 0.5/0.8/0.9/0.95/0.99: pinball loss ÷ in-sample mean |Δ 3-month sum| (lower is better); target ≤ 0.38 with q0.95 coverage 94–96%\n',
  );
  const qRows = [
    evaluateCarpartsQuantiles(carparts, 'forecastOutlook', outlookSumQuantiles),
    ...Object.entries(carpartsBaselines).map(([name, f]) => evaluateCarpartsQuantiles(carparts, name, f)),
  ];
  const w = Math.max(...qRows.map((r) => r.method.length));
  console.log(`${'method'.padEnd(w)}  pinball  q0.95 coverage   rows   time`);
  for (const r of qRows)
    console.log(
      `${r.method.padEnd(w)}  ${r.pinball.toFixed(3).padStart(7)}  ${r.coverage95.toFixed(3).padStart(14)}  ${String(r.rows).padStart(5)}  ${(r.ms / 1000).toFixed(1)}s`,
    );
  console.log('(reference: Poisson 0.408 / 0.910, negative binomial 0.441 / 0.953, empirical 0.452 / 0.960)');
  console.log(
    '\nMonthly forecasts for the 12 months after origin 39, RMSSE (mean over series, zero-scale series dropped); target ≤ 0.70\n',
  );
  const pRows = [
    evaluateCarpartsRmsse(carparts, 'forecastOutlook', outlookMonthlyPoint),
    ...Object.entries(carpartsPointBaselines).map(([name, f]) => evaluateCarpartsRmsse(carparts, name, f)),
  ];
  const w2 = Math.max(...pRows.map((r) => r.method.length));
  console.log(`${'method'.padEnd(w2)}  RMSSE   series   time`);
  for (const r of pRows)
    console.log(
      `${r.method.padEnd(w2)}  ${r.rmsse.toFixed(3)}  ${String(r.perSeries.length).padStart(6)}  ${(r.ms / 1000).toFixed(1)}s`,
    );
  console.log('(reference: zero 0.721, naive 0.875, mean of last 12 0.712, SES α 0.1 0.715)');
  // Cost per call, CPU time after warm-up: the longest carparts ledger (48 months) and 730 days of salesdaily.
  const longest = carparts.series.reduce((a, s) =>
    s.reduce((x, v) => x + v, 0) > a.reduce((x, v) => x + v, 0) ? s : a,
  );
  const us48 = outlookMicros(carpartsLedger(carparts, longest, 48), carparts.monthStart[0]!, 91);
  const us730 = outlookMicros(data.series[3]!.slice(-730), data.dates[data.dates.length - 730]!, 28);
  console.log(
    `\nforecastOutlook cost (CPU, incl. periods): 48-month ledger ${us48.toFixed(0)} µs/series, 730-day daily series ${us730.toFixed(0)} µs/series`,
  );
}

console.log('\nPolicy simulation — last 364 days, daily review, lead time 7 days, lost sales');
console.log(
  'dynamic: order-up-to S_t = forecast(8 days) + z·σ_8 (σ_8 = RMS of the last 26 weekly 8-day errors), weekly refits',
);
console.log(
  'static: best min/max with hindsight reaching at least the dynamic fill rate; saving = 1 − dyn/static avg stock\n',
);
console.log(formatPolicyTable(runPolicyBenchmark(data)));
console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)}s`);
(await import('./stockout-calibration.bench.ts')).runStockoutCalibrationBench();
