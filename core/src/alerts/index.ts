export * from './alert-types.ts';
export { evaluateAlerts } from './evaluate-alerts.ts';
export type { ExplainedValue, ItemLocationState, ProbabilityValue } from './item-location-state.ts';
export * from './rule-set.ts';
