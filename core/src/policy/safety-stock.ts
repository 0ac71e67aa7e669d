import { normalInv } from '../stats/normal.ts';
import { type Explained, fmt } from './explain.ts';

export interface SafetyStockInputs {
  /** Target cycle service level; used when z is not given. */
  readonly serviceLevel?: number;
  readonly z?: number;
  /** Mean daily demand d̄ (units/day). */
  readonly demandMean: number;
  /** sd of daily demand (or of the daily forecast error) σd. */
  readonly demandSd: number;
  /** Mean lead time L̄ (days). */
  readonly leadTimeMean: number;
  /** sd of lead time σL (days); 0 for a fixed lead time. */
  readonly leadTimeSd?: number;
}

function zOf(inputs: { serviceLevel?: number; z?: number }): number {
  if (inputs.z !== undefined) return inputs.z;
  if (inputs.serviceLevel === undefined) throw new RangeError('give either z or serviceLevel');
  return normalInv(inputs.serviceLevel);
}

/**
 * SS = z·√(L̄·σd² + d̄²·σL²): demand variability over the lead time plus the demand that piles up
 * when the lead time runs long. Normal approximation: for intermittent items use
 * reorderPointFromDistribution with a discrete lead-time demand instead.
 */
export function safetyStock(inputs: SafetyStockInputs): Explained<
  Required<Omit<SafetyStockInputs, 'serviceLevel'>> & {
    serviceLevel: number | null;
    sigmaLeadTimeDemand: number;
  }
> {
  const z = zOf(inputs);
  const { demandMean: d, demandSd: sd, leadTimeMean: L } = inputs;
  const sL = inputs.leadTimeSd ?? 0;
  const variance = L * sd * sd + d * d * sL * sL;
  const sigma = Math.sqrt(Math.max(0, variance));
  const value = Math.max(0, z * sigma);
  return {
    value,
    formula: 'SS = z·√(L̄·σd² + d̄²·σL²)',
    substituted: `SS = ${fmt(z, 3)}·√(${fmt(L)}·${fmt(sd * sd)} + ${fmt(d)}²·${fmt(sL * sL)}) = ${fmt(z, 3)}·√${fmt(variance)} = ${fmt(value)}`,
    inputs: {
      z,
      serviceLevel: inputs.serviceLevel ?? null,
      demandMean: d,
      demandSd: sd,
      leadTimeMean: L,
      leadTimeSd: sL,
      sigmaLeadTimeDemand: sigma,
    },
  };
}

/** ROP = d̄·L̄ + SS. */
export function reorderPoint(inputs: {
  demandMean: number;
  leadTimeMean: number;
  safetyStock: number;
}): Explained<{ demandMean: number; leadTimeMean: number; safetyStock: number; leadTimeDemand: number }> {
  const ltd = inputs.demandMean * inputs.leadTimeMean;
  const value = ltd + inputs.safetyStock;
  return {
    value,
    formula: 'ROP = d̄·L̄ + SS',
    substituted: `ROP = ${fmt(inputs.demandMean)}·${fmt(inputs.leadTimeMean)} + ${fmt(inputs.safetyStock)} = ${fmt(value)}`,
    inputs: { ...inputs, leadTimeDemand: ltd },
  };
}

/** Order-up-to level S = ROP + d̄·R: cover the lead time plus the review period. */
export function orderUpToLevel(inputs: {
  reorderPoint: number;
  demandMean: number;
  reviewPeriodDays: number;
}): Explained<{ reorderPoint: number; demandMean: number; reviewPeriodDays: number }> {
  const value = inputs.reorderPoint + inputs.demandMean * inputs.reviewPeriodDays;
  return {
    value,
    formula: 'S = ROP + d̄·R',
    substituted: `S = ${fmt(inputs.reorderPoint)} + ${fmt(inputs.demandMean)}·${fmt(inputs.reviewPeriodDays)} = ${fmt(value)}`,
    inputs: { ...inputs },
  };
}
