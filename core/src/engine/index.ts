export * from './engine-input.ts';
export { estimateLeadTime } from './lead-time.ts';
export { basicForecaster } from './forecaster.ts';
export { computeItemLocation, expiryRisk, leadTimeDemand, type ComputedPolicy, type LeadTimeDemand } from './compute-item-location.ts';
