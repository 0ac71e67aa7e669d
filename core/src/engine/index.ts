export * from './engine-input.ts';
export { modelByName, selectingForecaster } from './forecaster.ts';
export { computeItemLocation, type ComputedPolicy } from './compute-item-location.ts';
export { asOfIndices, backtestSeries, summariseBacktest, type BacktestRow, type BacktestSeries, type BacktestStep, type BacktestSummary } from './backtest.ts';
