export * from './alert-types.ts';
export * from './rule-set.ts';
export type { ExplainedValue, ItemLocationState } from './item-location-state.ts';
export { evaluateAlerts } from './evaluate-alerts.ts';
