export { type AdidaOptions, adida, aggregateBuckets, positionProfile } from './adida.ts';
export { type AnomalyOptions, type AnomalyResult, detectAnomalies } from './anomaly.ts';
export {
  type BacktestModelResult,
  type BacktestOptions,
  type BacktestResult,
  backtest,
  horizonSumErrorSd,
  horizonSumErrors,
  originPoints,
  type SumErrorOptions,
} from './backtest.ts';
export {
  applyClosures,
  type ClosureCalendar,
  type ClosureRule,
  closedDays,
  closureCalendar,
  type LearnClosureOptions,
  learnClosureCalendar,
  orthodoxEaster,
  westernEaster,
} from './calendar.ts';
export { ADI_CUTOFF, CV2_CUTOFF, classifyDemand, type DemandClassification } from './classify.ts';
export { combine } from './combine.ts';
export { type CrostonOptions, croston, sba, type TsbOptions, tsb } from './croston.ts';
export { addDays, daysBetween, daysInMonth, formatIsoDate, parseIsoDate } from './dates.ts';
export {
  defaultPool,
  fallbackModel,
  hwYearly,
  sesWeekdayYearly,
  sesYearly,
  weeklyAggregateYearly,
} from './default-pool.ts';
export { defineModel } from './define-model.ts';
export {
  detectGrain,
  detectSeriesGrain,
  forecastAtGrain,
  type Grain,
  type GrainDetection,
  type GrainForecast,
  periodStarts,
  type SeriesGrain,
  toDailySeries,
  toMonthlySeries,
} from './grain.ts';
export { type HoltWintersOptions, holtWinters } from './holt-winters.ts';
export { type MetricName, mase, naiveMae, naiveRmse, rmsse, scoreForecast } from './metrics.ts';
export { naive, seasonalNaive } from './naive.ts';
export {
  forecastOutlook,
  type PooledPriorOptions,
  pooledPrior,
  type SiteUsage,
  templatePrior,
} from './outlook.ts';
export {
  type DemandGrain,
  type DemandOutlook,
  type DemandPrior,
  type DemandTotal,
  OUTLOOK_QUANTILES,
  type OutlookInput,
  type OutlookPeriod,
  type PreviousChoice,
} from './outlook-types.ts';
export { addPlannedDemand } from './planned.ts';
export { prepareHistory } from './prepare.ts';
export { type ModelScore, type Selection, type SelectOptions, selectModel } from './select-model.ts';
export { type SesOptions, ses } from './ses.ts';
export type { DemandClass, FitOptions, FittedModel, Model } from './types.ts';
export { type WeekdayProfileOptions, weekdayProfile } from './weekday-profile.ts';
export { type YearlyFourierOptions, yearlyFourier } from './yearly-fourier.ts';
