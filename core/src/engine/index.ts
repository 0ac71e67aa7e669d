export {
  asOfIndices,
  type BacktestRow,
  type BacktestSeries,
  type BacktestStep,
  type BacktestSummary,
  backtestSeries,
  summariseBacktest,
} from './backtest.ts';
export { type ComputedPolicy, computeItemLocation } from './compute-item-location.ts';
export * from './engine-input.ts';
export { modelByName, selectingForecaster } from './forecaster.ts';
