// The pure domain of medstock: no I/O, no framework. Each area has its own index.

export * from './access/roles.ts';
export * from './alerts/index.ts';
export * from './backtest/index.ts';
export * from './billing/index.ts';
export * from './calibration/index.ts';
export * from './catalogue/index.ts';
export * from './dates/index.ts';
export * from './engine/index.ts';
// The maths areas share small helpers (dates, means), so they are namespaced.
export * as forecast from './forecast/index.ts';
// The demand outlook is the forecaster's contract with the engine and the backtest: exported by name too.
export { forecastOutlook, pooledPrior, templatePrior } from './forecast/outlook.ts';
export type {
  DemandGrain,
  DemandOutlook,
  DemandPrior,
  DemandTotal,
  OutlookInput,
  OutlookPeriod,
  PreviousChoice,
} from './forecast/outlook-types.ts';
export { OUTLOOK_QUANTILES } from './forecast/outlook-types.ts';
export * from './gs1/index.ts';
export * as kpis from './kpis/index.ts';
export * from './ledger/movement-kinds.ts';
export * as policy from './policy/index.ts';
export * from './requisitions/index.ts';
export * as stats from './stats/index.ts';
export * from './units/index.ts';
