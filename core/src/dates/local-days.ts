import { TZDate, tzOffset } from '@date-fns/tz';
import { type IsoDate, isIsoDate, withDashedDate } from './calendar-dates.ts';

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
  if (typeof name !== 'string') return null;
  let c = canonical.get(name);
  if (c === undefined) {
    if (name.length > 64 || !ZONE_NAME.test(name)) return null;
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

// Imports convert millions of instants: the zone's offset is sampled every 15 minutes and cached.
// Where two neighbouring samples agree the offset between them is that one (no zone changes its
// offset twice within 15 minutes); otherwise the instant is asked for exactly.
const BUCKET_MS = 15 * MINUTE_MS;
const DAY_MS = 86_400_000;
const samples = new Map<string, Map<number, number>>();

function sampledOffset(timeZone: string, bucket: number): number {
  let perZone = samples.get(timeZone);
  if (!perZone) {
    perZone = new Map();
    samples.set(timeZone, perZone);
  }
  let o = perZone.get(bucket);
  if (o === undefined) {
    o = tzOffset(timeZone, new Date(bucket * BUCKET_MS));
    if (perZone.size >= 200_000) perZone.clear();
    perZone.set(bucket, o);
  }
  return o;
}

function offsetAt(timeZone: string, ms: number): number {
  const b = Math.floor(ms / BUCKET_MS);
  const o = sampledOffset(timeZone, b);
  return o === sampledOffset(timeZone, b + 1) ? o : tzOffset(timeZone, new Date(ms));
}

/** Offset of the zone from UTC at that instant, in minutes (Shanghai: +480). */
export function zoneOffsetMinutes(instant: Date | number, timeZone: string): number {
  assertZone(timeZone);
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('zoneOffsetMinutes: invalid instant');
  return offsetAt(timeZone, ms);
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

function isRealDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Epoch ms of a wall-clock time in the zone (components already validated). */
function instantOfWall(
  y: number,
  m: number,
  d: number,
  hh: number,
  mm: number,
  ss: number,
  ms: number,
  timeZone: string,
): number {
  const wall = Date.UTC(y, m - 1, d, hh, mm, ss, ms);
  // Fast path: no offset change within a day either side, so exactly one instant shows this time.
  const o = offsetAt(timeZone, wall);
  const at = wall - o * MINUTE_MS;
  if (offsetAt(timeZone, at - DAY_MS) === o && offsetAt(timeZone, at + DAY_MS) === o) return at;
  // Near a DST change: @date-fns/tz resolves skipped and repeated times.
  return new TZDate(y, m - 1, d, hh, mm, ss, ms, timeZone).getTime();
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
  return new Date(
    instantOfWall(
      y,
      m,
      d,
      time.hours ?? 0,
      time.minutes ?? 0,
      time.seconds ?? 0,
      time.milliseconds ?? 0,
      timeZone,
    ),
  );
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
  assertZone(timeZone);
  const m = DATE_TIME.exec(withDashedDate(text));
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[3]);
  const d = Number(m[4]);
  if (y < 1000 || !isRealDay(y, mo, d)) return null;
  const hours = m[5] === undefined ? 0 : Number(m[5]);
  const minutes = m[6] === undefined ? 0 : Number(m[6]);
  const seconds = m[7] === undefined ? 0 : Number(m[7]);
  const milliseconds = m[8] === undefined ? 0 : Math.floor(Number(`0.${m[8]}`) * 1000);
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const offset = m[9];
  if (offset === undefined)
    return new Date(instantOfWall(y, mo, d, hours, minutes, seconds, milliseconds, timeZone));
  let offsetMinutes = 0;
  if (offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (offset[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(Date.UTC(y, mo - 1, d, hours, minutes, seconds, milliseconds) - offsetMinutes * MINUTE_MS);
}
