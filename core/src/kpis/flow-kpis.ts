import { daysBetween } from '../dates/calendar-dates.ts';
import { type Period, periodIndexOf } from './periods.ts';

/**
 * Alert precision over the alerts closed in a period: dismissed as a false alarm counts
 * against, resolved (the condition cleared, acknowledged or not) counts for. null when no alert
 * was closed.
 */
export function alertPrecision(confirmed: number, dismissed: number): number | null {
  const n = confirmed + dismissed;
  return n > 0 ? 1 - dismissed / n : null;
}

/** Precision and recall of stockout alerts from counts: raised, stockouts that happened, and both. */
export function precisionRecall(alertsRaised: number, stockouts: number, hits: number) {
  return {
    precision: alertsRaised > 0 ? hits / alertsRaised : null,
    recall: stockouts > 0 ? hits / stockouts : null,
    alertsRaised,
    stockouts,
    hits,
  };
}

/** Precision and recall of stockout alerts in a backtest: raised vs. stockouts that happened. */
export function backtestScores(rows: Iterable<{ alertRaised: boolean; stockoutHappened: boolean }>) {
  let raised = 0;
  let happened = 0;
  let hits = 0;
  for (const r of rows) {
    if (r.alertRaised) raised++;
    if (r.stockoutHappened) happened++;
    if (r.alertRaised && r.stockoutHappened) hits++;
  }
  return precisionRecall(raised, happened, hits);
}

export const mean = (xs: readonly number[]): number | null =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;

/** Days between two instants, fractional (purchase cycle time: PO created → received). */
export const elapsedDays = (from: string | Date, to: string | Date) =>
  (new Date(to).getTime() - new Date(from).getTime()) / 86_400_000;

/**
 * A receipt is on time when it arrives on or before the expected date (both as the organisation's local days).
 */
export const onTime = (receivedDay: string, expectedDay: string) =>
  daysBetween(expectedDay, receivedDay) <= 0;

/** Puts dated values into their periods (values outside every period are dropped). */
export function bucketByPeriod<T>(
  periods: readonly Period[],
  rows: Iterable<T>,
  dayOf: (r: T) => string,
): T[][] {
  const out = periods.map(() => [] as T[]);
  for (const r of rows) {
    const i = periodIndexOf(periods, dayOf(r));
    if (i >= 0) out[i]!.push(r);
  }
  return out;
}
