import {
  applyCalibration,
  type Calibration,
  calibrationLabel,
  type EngineRecalibration,
} from '@medstock/core';
import type { Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';

/** The organisation's newest stockout-probability calibration (fitted by its latest qualifying backtest), if any. */
export interface StoredCalibration {
  horizonDays: number;
  method: string;
  calibration: unknown;
  scoredRows: number;
  positives: number;
}

export async function currentCalibration(tx: Tx): Promise<StoredCalibration | null> {
  const r = await tx.execute<{
    horizon_days: number;
    method: string;
    calibration: unknown;
    scored_rows: number;
    positives: number;
  }>(
    sql`select horizon_days, method, calibration, scored_rows, positives from stockout_calibrations order by created_at desc limit 1`,
  );
  const row = r.rows[0];
  return row
    ? {
        horizonDays: row.horizon_days,
        method: row.method,
        calibration: row.calibration,
        scoredRows: row.scored_rows,
        positives: row.positives,
      }
    : null;
}

/**
 * The recalibration the engine applies: the stored map was fitted on P(stockout within N days)
 * against what happened, so it applies to that horizon only, and only when the organisation's
 * horizon is still the N it was fitted for (± 1 day). "Before the next receipt" stays raw.
 */
export function recalibrationFor(stored: StoredCalibration | null, horizonDays: number): EngineRecalibration {
  // A month-long horizon is 30 or 31 days depending on who set it (the backtest's monthly default
  // is 31): one day apart is the same horizon for this purpose; further apart is not.
  if (!stored || Math.abs(stored.horizonDays - horizonDays) > 1) return {};
  const cal = stored.calibration as Calibration;
  return {
    withinDays: { apply: (p) => applyCalibration(cal, p) ?? p, label: calibrationLabel(cal) },
  };
}
