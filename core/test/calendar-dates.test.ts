import { TZDate } from '@date-fns/tz';
import { addMonths, startOfMonth as dfStartOfMonth, format, startOfISOWeek } from 'date-fns';
import { describe, expect, it } from 'vitest';
import { addDays, dayOfUtcMs, startOfMonth, startOfWeek, utcMsOfDay } from '../src/dates/index.ts';
import { kpiPeriods } from '../src/kpis/index.ts';

/** date-fns on a UTC TZDate: the well-kept reference the calendar-date helpers must agree with. */
const utc = (day: string) => new TZDate(`${day}T00:00:00`, 'UTC');
const ymd = (d: Date) => format(d, 'yyyy-MM-dd');

describe('calendar-date helpers (core/src/dates, the one definition)', () => {
  it('month and week starts agree with date-fns over four years of days, two leap days among them', () => {
    for (let day = '2023-12-20'; day < '2028-03-10'; day = addDays(day, 1)) {
      expect(startOfWeek(day), day).toBe(ymd(startOfISOWeek(utc(day))));
      for (const k of [-13, 1]) {
        expect(startOfMonth(day, k), `${day} ${k}`).toBe(ymd(dfStartOfMonth(addMonths(utc(day), k))));
      }
    }
  });

  it('milliseconds of a day and back', () => {
    expect(utcMsOfDay('2026-03-01')).toBe(Date.UTC(2026, 2, 1));
    expect(dayOfUtcMs(Date.UTC(2026, 2, 1, 23, 59))).toBe('2026-03-01');
    expect(dayOfUtcMs(Date.UTC(1969, 11, 31, 12))).toBe('1969-12-31');
    expect(() => utcMsOfDay('2026-02-30')).toThrow(RangeError);
    expect(() => startOfMonth('2026-13-01')).toThrow(RangeError);
    expect(() => dayOfUtcMs(Number.NaN)).toThrow(RangeError);
  });

  it('KPI periods are built on them: weeks Monday to Sunday, months clipped to the range', () => {
    expect(kpiPeriods('2026-02-25', '2026-03-10', 'week')).toEqual([
      { start: '2026-02-25', end: '2026-03-02', days: 5 },
      { start: '2026-03-02', end: '2026-03-09', days: 7 },
      { start: '2026-03-09', end: '2026-03-11', days: 2 },
    ]);
    expect(kpiPeriods('2028-01-15', '2028-03-01', 'month')).toEqual([
      { start: '2028-01-15', end: '2028-02-01', days: 17 },
      { start: '2028-02-01', end: '2028-03-01', days: 29 },
      { start: '2028-03-01', end: '2028-03-02', days: 1 },
    ]);
  });
});
