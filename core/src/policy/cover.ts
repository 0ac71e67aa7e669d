import { type Explained, fmt } from './explain.ts';

export interface DaysOfCoverInputs {
  /** Inventory position (or on-hand, if that is what should be covered). */
  readonly position: number;
  /** Forecast daily demand d̄. */
  readonly dailyRate: number;
  /** sd of daily demand / forecast error; 0 gives low = high = the point value. */
  readonly dailySd?: number;
  /** Width of the range in σ; default 1.645 (a 90% two-sided band). */
  readonly z?: number;
}

/**
 * Days of cover = position ÷ d̄, with a range: the day D at which cumulative demand d̄·D ± z·σ·√D
 * reaches the position. Solving d̄·u² ± z·σ·u − position = 0 for u = √D gives
 *   low  = ((−zσ + √(z²σ² + 4·d̄·P)) / 2d̄)²   (demand runs high)
 *   high = (( zσ + √(z²σ² + 4·d̄·P)) / 2d̄)²   (demand runs low)
 */
export function daysOfCover(
  inputs: DaysOfCoverInputs,
): Explained<{ position: number; dailyRate: number; dailySd: number; z: number; low: number; high: number }> {
  const { position: P, dailyRate: d } = inputs;
  const s = inputs.dailySd ?? 0;
  const z = inputs.z ?? 1.645;
  let value: number;
  let low: number;
  let high: number;
  if (P <= 0) {
    value = low = high = 0;
  } else if (!(d > 0)) {
    value = low = high = Number.POSITIVE_INFINITY;
  } else {
    value = P / d;
    const zs = z * s;
    const root = Math.sqrt(zs * zs + 4 * d * P);
    // Without spread the range collapses to the point value (avoid rounding noise from the root).
    low = zs > 0 ? ((-zs + root) / (2 * d)) ** 2 : value;
    high = zs > 0 ? ((zs + root) / (2 * d)) ** 2 : value;
  }
  return {
    value,
    formula: 'cover = position ÷ d̄ (range: d̄·D ± z·σ·√D = position)',
    substituted: `cover = ${fmt(P)} ÷ ${fmt(d)} = ${fmt(value, 1)} days (range ${fmt(low, 1)}–${fmt(high, 1)})`,
    inputs: { position: P, dailyRate: d, dailySd: s, z, low, high },
  };
}

/** Turnover days = average inventory value ÷ (consumption value ÷ period days). */
export function turnoverDays(inputs: {
  averageInventoryValue: number;
  consumptionValue: number;
  periodDays: number;
}): Explained<{
  averageInventoryValue: number;
  consumptionValue: number;
  periodDays: number;
  dailyConsumptionValue: number;
}> {
  const daily = inputs.periodDays > 0 ? inputs.consumptionValue / inputs.periodDays : 0;
  const value = daily > 0 ? inputs.averageInventoryValue / daily : Number.POSITIVE_INFINITY;
  return {
    value,
    formula: 'turnover days = average inventory value ÷ daily consumption value',
    substituted: `turnover days = ${fmt(inputs.averageInventoryValue)} ÷ (${fmt(inputs.consumptionValue)} ÷ ${fmt(inputs.periodDays, 0)}) = ${fmt(value, 1)}`,
    inputs: { ...inputs, dailyConsumptionValue: daily },
  };
}
