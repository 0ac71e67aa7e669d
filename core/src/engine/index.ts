export {
  asOfIndices,
  type BacktestRow,
  type BacktestSeries,
  type BacktestStep,
  type BacktestSummary,
  backtestSeries,
  summariseBacktest,
} from './backtest.ts';
export {
  type ComputedPolicy,
  computeItemLocation,
  type EngineRecalibration,
  MIN_EVIDENCE_DAYS,
} from './compute-item-location.ts';
export * from './engine-input.ts';
export { modelByName, selectingForecaster } from './forecaster.ts';
export { assignPriors } from './priors.ts';
export { withPlannedDemand } from './planned-outlook.ts';
