/**
 * Runner: node --import tsx core/bench/forecast-quality.bench.ts
 * Prints the forecast-accuracy table (mean RMSSE, 28 days ahead, 13 rolling origins) and the
 * policy simulation. Exits 0 with a "skipped" message when the data file is absent.
 */
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_DATA_URL,
  formatForecastTable,
  formatPolicyTable,
  loadSalesDaily,
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
