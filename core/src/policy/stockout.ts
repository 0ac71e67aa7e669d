import { type Explained, fmt, pct } from './explain.ts';
import type { LeadTimeDemand } from './lead-time-demand.ts';

/**
 * Probability that demand before the next possible receipt exceeds the stock available:
 * P(D_L > position) = 1 − F(position), from the same distribution the reorder point came from.
 */
export function stockoutProbability(
  position: number,
  dist: LeadTimeDemand,
): Explained<{ position: number; distribution: string; mean: number; sd: number }> {
  const value = Math.min(1, Math.max(0, 1 - dist.cdf(position)));
  return {
    value,
    formula: 'P(stockout) = P(D_L > position) = 1 − F(position)',
    substituted: `P(stockout) = 1 − F_${dist.label}(${fmt(position)}) = ${pct(value)}`,
    inputs: { position, distribution: dist.label, mean: dist.mean, sd: dist.sd },
  };
}
