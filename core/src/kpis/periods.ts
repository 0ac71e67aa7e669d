import { addDays, daysBetween, startOfMonth, startOfWeek } from '../dates/calendar-dates.ts';

/** Reporting periods for KPIs: calendar weeks (Monday to Sunday) or months, in the organisation's local days (calendar dates carry no zone). */
export type Granularity = 'week' | 'month';

export interface Period {
  /** First day, inclusive (YYYY-MM-DD). */
  start: string;
  /** Day after the last day, exclusive (YYYY-MM-DD). */
  end: string;
  /** Number of days in the period (after clipping to the requested range). */
  days: number;
}

function nextBoundary(d: string, g: Granularity): string {
  return g === 'week' ? addDays(startOfWeek(d), 7) : startOfMonth(d, 1);
}

/**
 * The periods covering [from, to] (both inclusive), aligned to calendar weeks or months; the
 * first and last are clipped to the range, so a partial month counts only its days in range.
 */
export function kpiPeriods(from: string, to: string, granularity: Granularity): Period[] {
  const out: Period[] = [];
  const endExclusive = addDays(to, 1);
  let start = from;
  while (start < endExclusive) {
    const boundary = nextBoundary(start, granularity);
    const end = boundary < endExclusive ? boundary : endExclusive;
    out.push({ start, end, days: daysBetween(start, end) });
    start = end;
  }
  return out;
}

/** Index of the period holding the day, or −1. Periods are sorted and contiguous. */
export function periodIndexOf(periods: readonly Period[], day: string): number {
  let lo = 0;
  let hi = periods.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = periods[mid]!;
    if (day < p.start) hi = mid - 1;
    else if (day >= p.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}
