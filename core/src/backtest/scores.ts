import type { CalibrationBin } from './backtest-types.ts';

/**
 * Ranking and probability scores for binary outcomes. Scores: higher = more alarming. Tied scores form
 * one threshold (as scikit-learn does), so the order of rows never changes a figure.
 */

interface Threshold {
  readonly tp: number;
  readonly fp: number;
}

function thresholds(
  scores: readonly number[],
  labels: readonly boolean[],
): { steps: Threshold[]; positives: number } {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const steps: Threshold[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    if (labels[i]) tp++;
    else fp++;
    const next = idx[k + 1];
    if (next === undefined || scores[next] !== scores[i]) steps.push({ tp, fp });
  }
  return { steps, positives: tp };
}

/** Average precision AP = Σ (R_k − R_{k−1}) · P_k over thresholds; null without positives. */
export function averagePrecision(scores: readonly number[], labels: readonly boolean[]): number | null {
  const { steps, positives } = thresholds(scores, labels);
  if (positives === 0) return null;
  let ap = 0;
  let prevRecall = 0;
  for (const s of steps) {
    const recall = s.tp / positives;
    ap += (recall - prevRecall) * (s.tp / (s.tp + s.fp));
    prevRecall = recall;
  }
  return ap;
}

/** Largest recall at a threshold whose precision is ≥ minPrecision (0 when none); null without positives. */
export function recallAtPrecision(
  scores: readonly number[],
  labels: readonly boolean[],
  minPrecision: number,
): number | null {
  const { steps, positives } = thresholds(scores, labels);
  if (positives === 0) return null;
  let best = 0;
  for (const s of steps)
    if (s.tp / (s.tp + s.fp) >= minPrecision - 1e-12) best = Math.max(best, s.tp / positives);
  return best;
}

/** Mean (p − y)²; null for no rows. */
export function brierScore(p: readonly number[], labels: readonly boolean[]): number | null {
  if (p.length === 0) return null;
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - (labels[i] ? 1 : 0)) ** 2;
  return s / p.length;
}

/** `bins` equal-width bins on [0, 1]; the last one includes 1. Empty bins carry null rates. */
export function calibrationBins(
  p: readonly number[],
  labels: readonly boolean[],
  bins = 10,
): CalibrationBin[] {
  const acc = Array.from({ length: bins }, () => ({ n: 0, sp: 0, sy: 0 }));
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p[i]! * bins)));
    acc[b]!.n++;
    acc[b]!.sp += p[i]!;
    acc[b]!.sy += labels[i] ? 1 : 0;
  }
  return acc.map((a, b) => ({
    from: b / bins,
    to: (b + 1) / bins,
    rows: a.n,
    meanPredicted: a.n ? a.sp / a.n : null,
    observedRate: a.n ? a.sy / a.n : null,
  }));
}

/** Pinball (quantile) loss of quantile forecast q at level τ for outcome y. */
export function pinball(y: number, q: number, tau: number): number {
  return y >= q ? tau * (y - q) : (1 - tau) * (q - y);
}
