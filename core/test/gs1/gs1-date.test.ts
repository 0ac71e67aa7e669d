import { describe, expect, it } from 'vitest';
import { daysInMonth, parseGs1Date, resolveGs1Year } from '../../src/gs1/index.ts';

describe('resolveGs1Year (GS1 General Specifications 7.12)', () => {
  it.each([
    [2025, 25, 2025],
    [2025, 0, 2000],
    [2025, 74, 2074], // 49 ahead: current century
    [2025, 75, 2075], // 50 ahead: still current century
    [2025, 76, 1976], // 51 ahead: previous century
    [2025, 99, 1999],
    [2090, 41, 2041], // 49 behind: current century
    [2090, 40, 2140], // 50 behind: next century
    [2090, 30, 2130],
    [2000, 50, 2050],
    [2000, 51, 1951],
    [2099, 49, 2149],
  ])('reference %i, YY %i → %i', (reference, yy, expected) => {
    expect(resolveGs1Year(yy, reference)).toBe(expected);
  });
});

describe('parseGs1Date', () => {
  it('parses YYMMDD', () => {
    expect(parseGs1Date('251231', 2025, true)).toEqual({ iso: '2025-12-31', dayOmitted: false });
    expect(parseGs1Date('240229', 2025, true)).toEqual({ iso: '2024-02-29', dayOmitted: false });
  });

  it('reads DD = 00 as the last day of the month, leap years included', () => {
    expect(parseGs1Date('250200', 2025, true)).toEqual({ iso: '2025-02-28', dayOmitted: true });
    expect(parseGs1Date('240200', 2025, true)).toEqual({ iso: '2024-02-29', dayOmitted: true });
    expect(parseGs1Date('251100', 2025, true)).toEqual({ iso: '2025-11-30', dayOmitted: true });
    expect(parseGs1Date('271200', 2025, true)).toEqual({ iso: '2027-12-31', dayOmitted: true });
  });

  it.each([
    ['251301', /month 13/],
    ['250001', /month 00/],
    ['250230', /day 30 does not exist in 2025-02/],
    ['250229', /day 29 does not exist in 2025-02/],
    ['250431', /day 31/],
    ['25123', /six digits/],
    ['25-231', /six digits/],
  ])('rejects %s', (value, reason) => {
    const result = parseGs1Date(value, 2025, true);
    expect('error' in result && result.error).toMatch(reason);
  });

  it('rejects DD = 00 where the AI does not allow it', () => {
    expect(parseGs1Date('250200', 2025, false)).toEqual({ error: 'day 00 is not allowed here' });
  });

  it('daysInMonth', () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2025, 4)).toBe(30);
  });
});
