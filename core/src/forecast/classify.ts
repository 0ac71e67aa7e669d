import { cv2 } from '../stats/descriptive.ts';
import type { DemandClass } from './types.ts';

/** Syntetos–Boylan–Croston cut-offs. */
export const ADI_CUTOFF = 1.32;
export const CV2_CUTOFF = 0.49;

export interface DemandClassification {
  readonly class: DemandClass;
  /** Average inter-demand interval: observed periods / non-zero periods. */
  readonly adi: number;
  /** Squared coefficient of variation of the non-zero demand sizes. */
  readonly cv2: number;
  readonly nonZero: number;
  readonly periods: number;
}

/**
 * Syntetos–Boylan classification. ADI is computed as periods / non-zero periods (the mean interval
 * between demands including the first), which is robust for short histories. NaN (missing) periods
 * are not counted. No demand at all → 'lumpy' with ADI Infinity, the class that gets the most
 * conservative treatment.
 */
export function classifyDemand(series: readonly number[]): DemandClassification {
  const sizes: number[] = [];
  let periods = 0;
  for (const x of series) {
    if (!Number.isFinite(x)) continue;
    periods++;
    if (x > 0) sizes.push(x);
  }
  const nonZero = sizes.length;
  const adi = nonZero > 0 ? periods / nonZero : Number.POSITIVE_INFINITY;
  const c = nonZero > 1 ? cv2(sizes) : 0;
  const intermittent = adi >= ADI_CUTOFF;
  const variable = c >= CV2_CUTOFF;
  const cls: DemandClass = intermittent
    ? variable
      ? 'lumpy'
      : 'intermittent'
    : variable
      ? 'erratic'
      : 'smooth';
  return { class: nonZero === 0 ? 'lumpy' : cls, adi, cv2: c, nonZero, periods };
}
