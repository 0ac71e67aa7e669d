import { TZDate, tzOffset } from '@date-fns/tz';
import { type IsoDate, isIsoDate, parseCalendarDate } from './calendar-dates.ts';

/**
 * Where instants meet the organisation's local days. Every day boundary in medstock (demand
 * buckets, expiry, KPIs, imported times without an offset) is a day in the organisation's IANA
 * time zone (control.organizations.timezone), never a UTC day: for a clinic in Shanghai a UTC day
 * would begin at 08:00. The zone rules (offsets, DST, historical changes) come from the runtime's
 * ICU data through @date-fns/tz; PostgreSQL applies the same IANA names with `at time zone`.
 */

/** The zone of an organisation that never chose one (the control plane's column default). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const MINUTE_MS = 60_000;
// IANA names ("Asia/Shanghai", "America/Argentina/Buenos_Aires", "Etc/GMT-8", "UTC"). Bare UTC
// offsets ("+08:00") are refused: they have no DST rules and PostgreSQL reads them inverted (POSIX).
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
const canonical = new Map<string, string | null>();

/**
 * The zone's canonical spelling ("asia/shanghai" → "Asia/Shanghai"), or null when it is not an
 * IANA time zone name the runtime knows.
 */
export function canonicalTimeZone(name: unknown): string | null {
  if (typeof name !== 'string' || name.length > 64 || !ZONE_NAME.test(name)) return null;
  let c = canonical.get(name);
  if (c === undefined) {
    try {
      c = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      c = null;
    }
    if (canonical.size < 1000) canonical.set(name, c);
  }
  return c;
}

export function isValidTimeZone(name: unknown): name is string {
  return canonicalTimeZone(name) !== null;
}

function assertZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`not an IANA time zone: ${timeZone}`);
}

/** Offset of the zone from UTC at that instant, in minutes (Shanghai: +480). */
export function zoneOffsetMinutes(instant: Date | number, timeZone: string): number {
  assertZone(timeZone);
  const d = typeof instant === 'number' ? new Date(instant) : instant;
  if (Number.isNaN(d.getTime())) throw new RangeError('zoneOffsetMinutes: invalid instant');
  return tzOffset(timeZone, d);
}

/** The local day (YYYY-MM-DD) in `timeZone` on which the instant falls. */
export function localDay(instant: Date | number | string, timeZone: string): IsoDate {
  const ms =
    instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`localDay: not an instant: ${String(instant)}`);
  return new Date(ms + zoneOffsetMinutes(ms, timeZone) * MINUTE_MS).toISOString().slice(0, 10);
}

/** Today in the organisation's zone. */
export function localToday(timeZone: string, now: Date | number = Date.now()): IsoDate {
  return localDay(now, timeZone);
}

function dateParts(day: IsoDate): [number, number, number] {
  if (!isIsoDate(day)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${day}`);
  return [Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10))];
}

/**
 * The instant a wall-clock time in `timeZone` stands for. A time skipped by a DST change
 * (02:30 on the spring-forward night) moves forward by the gap (03:30); a time that occurs twice
 * (the autumn night) is the later occurrence, as @date-fns/tz resolves it.
 */
export function wallClockToInstant(
  day: IsoDate,
  time: { hours?: number; minutes?: number; seconds?: number; milliseconds?: number },
  timeZone: string,
): Date {
  assertZone(timeZone);
  const [y, m, d] = dateParts(day);
  const t = new TZDate(
    y,
    m - 1,
    d,
    time.hours ?? 0,
    time.minutes ?? 0,
    time.seconds ?? 0,
    time.milliseconds ?? 0,
    timeZone,
  );
  return new Date(t.getTime());
}

/**
 * The first instant of the local day. Usually local midnight; where midnight is skipped by a
 * DST change (America/Santiago in September) the day begins at 01:00.
 */
export function startOfLocalDay(day: IsoDate, timeZone: string): Date {
  return wallClockToInstant(day, {}, timeZone);
}

/** [start, end) of the local day as instants: 24 hours long, or 23 / 25 on DST days. */
export function localDayBounds(day: IsoDate, timeZone: string): { start: Date; end: Date } {
  const [y, m, d] = dateParts(day);
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return { start: startOfLocalDay(day, timeZone), end: startOfLocalDay(next, timeZone) };
}

// 2026-08-01 | 2026/08/01 | 2026/8/1, then optionally [T or space] HH:mm[:ss[.fff]] and an offset.
const DATE_TIME =
  /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An imported date or date-time as an instant. A value with an offset ("…Z", "…+08:00") is that
 * instant; a value without one is wall-clock time in the organisation's zone, and a date alone
 * is the start of that local day. Accepts '-' or '/' between date parts and 'T' or a space before
 * the time. Null when the text is not a real date and time.
 */
export function parseLocalDateTime(text: string, timeZone: string): Date | null {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return null;
  const day = parseCalendarDate(`${m[1]}-${m[3]}-${m[4]}`);
  if (day === null || Number(m[1]) < 1000) return null;
  if (m[5] === undefined) return startOfLocalDay(day, timeZone);
  const hours = Number(m[5]);
  const minutes = Number(m[6]);
  const seconds = m[7] === undefined ? 0 : Number(m[7]);
  const milliseconds = m[8] === undefined ? 0 : Math.floor(Number(`0.${m[8]}`) * 1000);
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const offset = m[9];
  if (offset === undefined)
    return wallClockToInstant(day, { hours, minutes, seconds, milliseconds }, timeZone);
  let offsetMinutes = 0;
  if (offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (offset[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const [y, mo, d] = dateParts(day);
  return new Date(Date.UTC(y, mo - 1, d, hours, minutes, seconds, milliseconds) - offsetMinutes * MINUTE_MS);
}
