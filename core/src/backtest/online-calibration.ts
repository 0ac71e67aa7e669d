import { applyCalibration, type Calibration, fitCalibration } from '../calibration/calibration.ts';
import { addDays } from '../dates/index.ts';
import type { BacktestRow } from './backtest-types.ts';
import { scoredRows } from './summarise.ts';

/** Refit only when the rows with a known outcome have grown by this share since the last fit. */
const REFIT_GROWTH = 0.1;

/**
 * What the engine would have said at each as-of date had the organisation's own calibration been
 * in force then, as it is in production (worker/src/engine/load-calibration.ts): P(stockout within
 * the horizon) mapped through a calibration fitted only on rows whose outcome was already known at
 * that date (as-of + horizon ≤ the date). Nothing from the future enters: the first months stay
 * raw until enough outcomes exist (core MIN_CALIBRATION_ROWS / MIN_CALIBRATION_POSITIVES).
 * Already-out rows (p = 1 by definition) and unknowns (null) are left as they are.
 */
export function recalibrateOnline(rows: readonly BacktestRow[], horizonDays: number): BacktestRow[] {
  const training = scoredRows(rows)
    .map((r) => ({
      known: addDays(r.asOf, horizonDays),
      p: r.pWithinHorizon!,
      outcome: r.outcome === 'new_stockout',
    }))
    .sort((a, b) => a.known.localeCompare(b.known));
  const dates = [...new Set(rows.map((r) => r.asOf))].sort();
  const calibrationAt = new Map<string, Calibration | null>();
  let cal: Calibration | null = null;
  let used = 0;
  let fittedOn = 0;
  for (const d of dates) {
    while (used < training.length && training[used]!.known <= d) used++;
    if (used > 0 && (cal === null || used >= fittedOn * (1 + REFIT_GROWTH))) {
      const next = fitCalibration(training.slice(0, used));
      if (next) {
        cal = next;
        fittedOn = used;
      }
    }
    calibrationAt.set(d, cal);
  }
  return rows.map((r) => {
    const c = calibrationAt.get(r.asOf) ?? null;
    const computed = r.pWithinHorizon !== null && r.position !== null && r.position > 0;
    if (!c || !computed) return { ...r, pWithinHorizonRaw: r.pWithinHorizon, calibrated: false };
    return {
      ...r,
      pWithinHorizonRaw: r.pWithinHorizon,
      pWithinHorizon: applyCalibration(c, r.pWithinHorizon),
      calibrated: true,
    };
  });
}
