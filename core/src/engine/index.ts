export * from './engine-input.ts';
export { estimateLeadTime } from './lead-time.ts';
export { modelByName, selectingForecaster } from './forecaster.ts';
export { computeItemLocation, expiryRisk, leadTimeDemand, type ComputedPolicy, type LeadTimeDemand } from './compute-item-location.ts';
export { asOfIndices, backtestSeries, summariseBacktest, type BacktestRow, type BacktestSeries, type BacktestStep, type BacktestSummary } from './backtest.ts';
