/**
 * GS1 dates are YYMMDD with a two-digit year. The century is resolved against a reference year
 * with the sliding window of GS1 General Specifications 7.12: a year 51–99 ahead of the reference
 * belongs to the previous century, one 50–99 behind it to the next century, otherwise the current
 * one. So with reference 2025, "74" is 2074 and "76" is 1976.
 */
export function resolveGs1Year(yy: number, referenceYear: number): number {
  const currentYy = referenceYear % 100;
  const century = referenceYear - currentYy;
  const difference = yy - currentYy;
  if (difference >= 51) return century - 100 + yy;
  if (difference <= -50) return century + 100 + yy;
  return century + yy;
}

export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids any local-time shift.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export interface Gs1Date {
  /** ISO 8601 calendar date, YYYY-MM-DD. */
  readonly iso: string;
  /** DD was 00: the label gives only year and month, and the date means the month's last day. */
  readonly dayOmitted: boolean;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Parses YYMMDD, or returns a reason string when the date does not exist. DD = 00 means "end of
 * the month" (General Specifications 3.4.x); we expand it because every downstream rule (FEFO,
 * expiry risk) needs a concrete date, and the last day is the only safe reading for an expiry.
 */
export function parseGs1Date(
  yymmdd: string,
  referenceYear: number,
  dayMayBeZero: boolean,
): Gs1Date | { readonly error: string } {
  if (!/^\d{6}$/.test(yymmdd)) return { error: 'expected six digits YYMMDD' };
  const yy = Number(yymmdd.slice(0, 2));
  const mm = Number(yymmdd.slice(2, 4));
  const dd = Number(yymmdd.slice(4, 6));
  if (mm < 1 || mm > 12) return { error: `month ${pad2(mm)} is not 01–12` };
  const year = resolveGs1Year(yy, referenceYear);
  const last = daysInMonth(year, mm);
  if (dd === 0 && !dayMayBeZero) return { error: 'day 00 is not allowed here' };
  if (dd > last) return { error: `day ${pad2(dd)} does not exist in ${year}-${pad2(mm)}` };
  const day = dd === 0 ? last : dd;
  return { iso: `${year}-${pad2(mm)}-${pad2(day)}`, dayOmitted: dd === 0 };
}

/** YYMMDDHHMM (AI 7003); the result is a local date-time without zone, as GS1 defines none. */
export function parseGs1DateTime(value: string, referenceYear: number): { iso: string } | { error: string } {
  if (!/^\d{10}$/.test(value)) return { error: 'expected ten digits YYMMDDHHMM' };
  const datePart = parseGs1Date(value.slice(0, 6), referenceYear, false);
  if ('error' in datePart) return datePart;
  const hh = Number(value.slice(6, 8));
  const mi = Number(value.slice(8, 10));
  if (hh > 23) return { error: `hour ${pad2(hh)} is not 00–23` };
  if (mi > 59) return { error: `minute ${pad2(mi)} is not 00–59` };
  return { iso: `${datePart.iso}T${pad2(hh)}:${pad2(mi)}` };
}
