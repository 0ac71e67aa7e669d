export { type DaysOfCoverInputs, daysOfCover, turnoverDays } from './cover.ts';
export { type ExpiryRiskResult, expiryRisk, type Lot, type LotExpiryRisk } from './expiry.ts';
export { type Explained, fmt, pct } from './explain.ts';
export {
  estimateLeadTime,
  type LeadTimeEstimate,
  type LeadTimeObservation,
  type LeadTimePrior,
} from './lead-time.ts';
export {
  type BootstrapOptions,
  bootstrapLeadTimeDemand,
  type LeadTimeDemand,
  type LeadTimeDemandKind,
  type LeadTimeDemandOptions,
  type LeadTimeMoments,
  leadTimeDemand,
  leadTimeDemandMoments,
  negativeBinomialLeadTimeDemand,
  normalLeadTimeDemand,
  poissonLeadTimeDemand,
  reorderPointFromDistribution,
} from './lead-time-demand.ts';
export {
  type LeadTimeDrift,
  leadTimeDrift,
  MIN_EARLIER_LEAD_TIMES,
  RECENT_LEAD_TIMES,
} from './lead-time-drift.ts';
export {
  economicOrderQuantity,
  orderUpToQuantity,
  type PackRules,
  roundOrderQuantity,
} from './order-quantity.ts';
export { type ItemReorderInputs, type ItemReorderPoint, itemReorderPoint } from './reorder.ts';
export { orderUpToLevel, reorderPoint, type SafetyStockInputs, safetyStock } from './safety-stock.ts';
export {
  ABC_CLASSES,
  type AbcClass,
  type AbcItem,
  type AbcResult,
  classifyAbc,
  DEFAULT_SERVICE_LEVELS,
  fillRateSafetyFactor,
  RISK_CLASSES,
  type RiskClass,
  serviceLevelZ,
  targetServiceLevel,
  VED_CLASSES,
  type VedClass,
} from './service-level.ts';
export {
  type InventoryState,
  minMaxPolicy,
  type OrderPolicy,
  orderUpToPolicy,
  type SimulationOptions,
  type SimulationResult,
  simulateMinMax,
  simulatePolicy,
  type TuneMinMaxOptions,
  tuneMinMax,
} from './simulate.ts';
export {
  DEFAULT_STOCKOUT_HORIZON_DAYS,
  type StockoutRisk,
  type StockoutRiskInput,
  stockoutRisk,
} from './stockout-risk.ts';
