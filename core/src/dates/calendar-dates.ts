/**
 * Calendar dates as ISO strings 'YYYY-MM-DD'. A calendar date names a local day and carries no
 * time zone, so adding days or counting days between two dates is plain day-count arithmetic
 * (proleptic Gregorian, via Date.UTC, where every day is 86 400 000 ms): no DST change can shift
 * it. Only where a date meets an instant (local-days.ts) does the organisation's zone matter.
 */
export type IsoDate = string;

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** '2026-08-01', '2026/08/01', '2026/8/1' (the separators clinic spreadsheets export). */
const LOOSE_DATE = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$/;

// '2026年8月1日' (how Chinese staff write a date, and Excel's Chinese long date) and '2026.8.1'.
const CHINESE_DATE = /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?/;
const DOTTED_DATE = /^(\d{4})\.(\d{1,2})\.(\d{1,2})(?![\d.])/;

/**
 * The date at the start of `text` rewritten with '-' separators when it is written the Chinese
 * way or with dots ('2026年8月1日 08:30' → '2026-8-1 08:30'); other text is returned unchanged.
 */
export function withDashedDate(text: string): string {
  const t = text.trim();
  return t.replace(CHINESE_DATE, '$1-$2-$3').replace(DOTTED_DATE, '$1-$2-$3');
}

/** Day number (days since 1970-01-01) of a real calendar date, or NaN. */
function dayNumber(year: number, month1: number, day: number): number {
  if (month1 < 1 || month1 > 12 || day < 1 || day > 31) return Number.NaN;
  const ms = Date.UTC(year, month1 - 1, day);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month1 - 1 || d.getUTCDate() !== day)
    return Number.NaN;
  return ms / DAY_MS;
}

function fromDayNumber(n: number): IsoDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

function toDayNumber(day: IsoDate): number {
  const m = ISO_DATE.exec(day);
  const n = m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : Number.NaN;
  if (Number.isNaN(n)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${day}`);
  return n;
}

/** True for a real calendar date written 'YYYY-MM-DD' (2026-02-30 is not one). */
export function isIsoDate(s: unknown): s is IsoDate {
  if (typeof s !== 'string') return false;
  const m = ISO_DATE.exec(s);
  return m !== null && !Number.isNaN(dayNumber(Number(m[1]), Number(m[2]), Number(m[3])));
}

/**
 * A calendar date written 'YYYY-MM-DD', 'YYYY/MM/DD', 'YYYY/M/D', 'YYYY-M-D', 'YYYY.M.D' or
 * 'YYYY年M月D日', as 'YYYY-MM-DD'; null when it is not a real date.
 */
export function parseCalendarDate(s: string): IsoDate | null {
  const m = LOOSE_DATE.exec(withDashedDate(s));
  if (!m) return null;
  const n = dayNumber(Number(m[1]), Number(m[3]), Number(m[4]));
  return Number.isNaN(n) ? null : fromDayNumber(n);
}

/** The date `days` calendar days after `day` (before it when negative). */
export function addDays(day: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new RangeError(`addDays: not a whole number of days: ${days}`);
  return fromDayNumber(toDayNumber(day) + days);
}

/** UTC midnight of a calendar date, in ms: for code that counts days in milliseconds. */
export function utcMsOfDay(day: IsoDate): number {
  return toDayNumber(day) * DAY_MS;
}

/** The calendar date (UTC day) of an instant in ms; the inverse of utcMsOfDay. */
export function dayOfUtcMs(ms: number): IsoDate {
  if (!Number.isFinite(ms)) throw new RangeError(`dayOfUtcMs: not an instant: ${ms}`);
  return fromDayNumber(Math.floor(ms / DAY_MS));
}

/** First day of the month holding `day`, `months` months later (earlier when negative). */
export function startOfMonth(day: IsoDate, months = 0): IsoDate {
  toDayNumber(day); // validates
  if (!Number.isInteger(months))
    throw new RangeError(`startOfMonth: not a whole number of months: ${months}`);
  return fromDayNumber(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1 + months, 1) / DAY_MS);
}

/** The Monday of the week (Monday to Sunday) holding `day`. */
export function startOfWeek(day: IsoDate): IsoDate {
  const n = toDayNumber(day);
  // Day 0 (1970-01-01) was a Thursday: (n + 3) mod 7 is days since Monday.
  return fromDayNumber(n - ((((n + 3) % 7) + 7) % 7));
}

/** Whole calendar days from `from` to `to` (negative if `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (month 1–12). Arithmetic, not a Date: the forecaster calls it per period. */
export function daysInMonth(year: number, month1: number): number {
  if (month1 === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return MONTH_DAYS[month1 - 1] ?? new Date(Date.UTC(year, month1, 0)).getUTCDate();
}
