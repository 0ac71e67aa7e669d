import type { DemandClass } from '../forecast/types.ts';
import { type Explained, fmt } from './explain.ts';
import {
  type LeadTimeDemand,
  type LeadTimeDemandOptions,
  leadTimeDemand,
  reorderPointFromDistribution,
} from './lead-time-demand.ts';
import { reorderPoint, safetyStock } from './safety-stock.ts';

export interface ItemReorderInputs extends LeadTimeDemandOptions {
  readonly demandClass: DemandClass;
  readonly serviceLevel: number;
}

export interface ItemReorderPoint
  extends Explained<{
    method: 'normal' | 'distribution';
    demandClass: DemandClass;
    serviceLevel: number;
    safetyStock: number;
    leadTimeDemandMean: number;
    distribution: string;
  }> {
  readonly safetyStockDetail: Explained<object> | null;
  readonly distribution: LeadTimeDemand;
}

/**
 * The reorder point an alert quotes. Smooth/erratic demand (and method 'normal'): ROP = d̄·L̄ + SS
 * with SS = z·√(L̄·σd² + d̄²·σL²). Intermittent/lumpy demand (or an explicit discrete/bootstrap
 * method): the CSL-quantile of the lead-time demand distribution, because a normal with mean 0.8
 * and sd 2 would put a third of its mass below zero and misplace the reorder point.
 */
export function itemReorderPoint(inputs: ItemReorderInputs): ItemReorderPoint {
  const dist = leadTimeDemand(inputs);
  if (dist.kind === 'normal') {
    const ss = safetyStock({
      serviceLevel: inputs.serviceLevel,
      demandMean: inputs.dailyMean,
      demandSd: inputs.dailySd,
      leadTimeMean: inputs.leadTimeMean,
      leadTimeSd: inputs.leadTimeSd ?? 0,
    });
    const rop = reorderPoint({
      demandMean: inputs.dailyMean,
      leadTimeMean: inputs.leadTimeMean,
      safetyStock: ss.value,
    });
    return {
      value: rop.value,
      formula: `${rop.formula}; ${ss.formula}`,
      substituted: `${ss.substituted}; ${rop.substituted}`,
      inputs: {
        method: 'normal',
        demandClass: inputs.demandClass,
        serviceLevel: inputs.serviceLevel,
        safetyStock: ss.value,
        leadTimeDemandMean: rop.inputs.leadTimeDemand,
        distribution: dist.label,
      },
      safetyStockDetail: ss,
      distribution: dist,
    };
  }
  const rop = reorderPointFromDistribution(dist, inputs.serviceLevel);
  return {
    value: rop.value,
    formula: rop.formula,
    substituted: `${rop.substituted} (safety stock ${fmt(rop.inputs.safetyStock)})`,
    inputs: {
      method: 'distribution',
      demandClass: inputs.demandClass,
      serviceLevel: inputs.serviceLevel,
      safetyStock: rop.inputs.safetyStock,
      leadTimeDemandMean: dist.mean,
      distribution: dist.label,
    },
    safetyStockDetail: null,
    distribution: dist,
  };
}
