import { parseCalendarDate, parseLocalDateTime } from '@medstock/core';

/** A real calendar date written YYYY-MM-DD: core's one definition. */
export { isIsoDate as isRealDate } from '@medstock/core';

import {
  type RowMessageCode,
  type RowParams,
  type RowReason,
  rowReason,
} from '@medstock/contracts/imports/row-messages.ts';

/**
 * Cell parsers shared by the import kinds. Each returns the parsed value or a reason (code, params);
 * the caller attaches the line and field. Dates are cached: a million rows of daily history
 * carry only a few thousand distinct dates.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: RowReason };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (code: RowMessageCode, params: RowParams = {}): Parsed<never> => ({
  ok: false,
  reason: rowReason(code, params),
});

export interface Instant {
  /** For the COPY stream: an unambiguous timestamptz literal. */
  text: string;
  ms: number;
}

/**
 * A calendar date as YYYY-MM-DD: '2026-08-01', or '2026/08/01' as spreadsheets export it. A
 * value that is not a date comes back unchanged, for the caller's check to report.
 */
export function normaliseDate(s: string): string {
  return parseCalendarDate(s) ?? s;
}

/**
 * A date or a date-time, in the organisation's zone unless it carries an offset: a date alone
 * ('2026-08-01' or '2026/08/01') is the start of that local day, a time without an offset
 * ('2026-08-01 08:30') is local wall-clock time, '…Z' or '…+08:00' is that instant. Refuses
 * instants later than `notAfterMs`.
 */
export function createInstantParser(notAfterMs: number, timeZone: string) {
  const cache = new Map<string, Parsed<Instant>>();
  return (s: string): Parsed<Instant> => {
    let r = cache.get(s);
    if (r) return r;
    const at = parseLocalDateTime(s, timeZone);
    r = at ? ok({ text: at.toISOString(), ms: at.getTime() }) : fail('not_a_date_time', { value: s });
    if (r.ok && r.value.ms > notAfterMs) r = fail('in_future', { value: s });
    if (cache.size < 100_000) cache.set(s, r);
    return r;
  };
}

export function parseNumber(s: string): Parsed<number> {
  if (s === '') return fail('required');
  const n = Number(s);
  return Number.isFinite(n) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)
    ? ok(n)
    : fail('not_a_number', { value: s });
}

export function parseNonNegative(s: string): Parsed<number> {
  const r = parseNumber(s);
  if (!r.ok) return r;
  return r.value < 0 ? fail('negative', { value: s }) : r;
}

export function parsePositiveInt(s: string): Parsed<number> {
  const r = parseNumber(s);
  if (!r.ok) return r;
  return Number.isSafeInteger(r.value) && r.value >= 1 ? r : fail('whole_number_min1', { value: s });
}

const TRUE = new Set(['true', 't', 'yes', 'y', '1', '是']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0', '否']);

export function parseBoolean(s: string): Parsed<boolean> {
  const v = s.toLowerCase();
  if (TRUE.has(v)) return ok(true);
  if (FALSE.has(v)) return ok(false);
  return fail('not_boolean', { value: s });
}

/**
 * Quantity in `unit` to whole base units: 0.5 box of 100 is 50 pieces; 0.5 piece is refused.
 * The same tolerance as core's toBaseQuantity, inlined for the million-row path.
 */
export function toBase(
  quantity: number,
  factor: number,
  unitLabel: string,
  baseLabel: string,
  /** A unit code's Chinese word (支, 盒), for the Chinese words of a refusal. */
  zh: (code: string) => string = (code) => code,
): Parsed<number> {
  const exact = quantity * factor;
  const rounded = Math.round(exact);
  if (Math.abs(exact - rounded) > 8 * Number.EPSILON * Math.max(1, Math.abs(exact))) {
    return fail('fraction_of_base', {
      quantity,
      unit: unitLabel,
      exact,
      base: baseLabel,
      unitZh: zh(unitLabel),
      baseZh: zh(baseLabel),
    });
  }
  if (!Number.isSafeInteger(rounded))
    return fail('quantity_too_large', { quantity, unit: unitLabel, unitZh: zh(unitLabel) });
  return ok(rounded === 0 ? 0 : rounded);
}

export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
