/**
 * The forecast code's calendar dates are core/src/dates's (one definition of a calendar date);
 * the instant helpers below are for code that works in UTC milliseconds of a calendar date.
 */
export { addDays, daysBetween, daysInMonth } from '../dates/calendar-dates.ts';

/** UTC midnight of an ISO date ('YYYY-MM-DD', optionally followed by a time), in ms. */
export function parseIsoDate(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) throw new RangeError(`not an ISO date: ${iso}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** The calendar date of a UTC instant in ms (core/src/dates's dayOfUtcMs). */
export { dayOfUtcMs as formatIsoDate } from '../dates/calendar-dates.ts';
