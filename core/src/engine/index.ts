export {
  type ComputedPolicy,
  computeItemLocation,
  type EngineRecalibration,
  MIN_EVIDENCE_DAYS,
} from './compute-item-location.ts';
export * from './engine-input.ts';
export { withPlannedDemand } from './planned-outlook.ts';
export { assignPriors } from './priors.ts';
