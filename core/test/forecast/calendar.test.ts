import { describe, expect, it } from 'vitest';
import {
  addDays,
  applyClosures,
  closedDays,
  closureCalendar,
  learnClosureCalendar,
  orthodoxEaster,
  westernEaster,
} from '../../src/forecast/index.ts';

describe('Easter dates', () => {
  it('Western and Orthodox Easter', () => {
    expect(westernEaster(2024)).toBe('2024-03-31');
    expect(orthodoxEaster(2024)).toBe('2024-05-05');
    expect(westernEaster(2025)).toBe('2025-04-20');
    expect(orthodoxEaster(2025)).toBe('2025-04-20');
    expect(orthodoxEaster(2016)).toBe('2016-05-01');
  });
});

describe('closure calendar', () => {
  const dates = Array.from({ length: 3 * 365 }, (_, i) => addDays('2021-01-01', i));
  const isClosed = (d: string) =>
    d.endsWith('-01-01') || d === orthodoxEaster(Number(d.slice(0, 4))) || d === '2022-06-15';

  it('closedDays marks days where every series is zero', () => {
    expect(
      closedDays([
        [0, 1, 0],
        [0, 0, 1],
      ]),
    ).toEqual([true, false, false]);
  });

  it('learns recurring fixed-date and Easter closures, not one-offs', () => {
    const cal = learnClosureCalendar(dates, dates.map(isClosed));
    expect(cal.rules).toContain('md:01-01');
    expect(cal.rules).toContain('oe:+0');
    expect(cal.rules).not.toContain('md:06-15');
    expect(cal.isClosed('2024-01-01')).toBe(true);
    expect(cal.isClosed(orthodoxEaster(2024))).toBe(true);
    expect(cal.isClosed('2024-06-15')).toBe(false);
  });

  it('rejects coincidences that failed in other years', () => {
    // Closed on 1 May only 2 of 3 years → 67% ≥ 60% kept; only 1 of 3 → dropped.
    const some = learnClosureCalendar(
      dates,
      dates.map((d) => d === '2021-05-01' || d === '2022-05-01'),
    );
    expect(some.rules).toContain('md:05-01');
    const one = learnClosureCalendar(
      dates,
      dates.map((d) => d === '2021-05-01'),
    );
    expect(one.rules).toEqual([]);
  });

  it('applyClosures zeroes forecast days the site is closed', () => {
    const cal = closureCalendar(['md:12-25'], ['2024-12-27']);
    expect(applyClosures([5, 5, 5, 5], '2024-12-24', cal)).toEqual([5, 0, 5, 0]);
  });
});
