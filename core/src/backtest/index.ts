export {
  asOfDates,
  averageMonthlyConsumption,
  type BacktestOptions,
  backtestItemLocation,
  classifyOutcome,
  DEFAULT_ALERT_PROBABILITY,
  DEFAULT_LEAD_TIME_DAYS,
  leadTimeAt,
  monthsOfStock,
} from './backtest-item-location.ts';
export * from './backtest-types.ts';
export { recalibrateOnline } from './online-calibration.ts';
export { withPooledPriors } from './pooled-priors.ts';
export { averagePrecision, brierScore, calibrationBins, pinball, recallAtPrecision } from './scores.ts';
export { alertScores, monthsOfStockScore, scoredRows, summariseBacktest } from './summarise.ts';
