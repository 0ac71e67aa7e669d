import { Gs1ParseError } from './gs1-error.ts';

const DIGITS = /^\d+$/;
const GTIN_LENGTHS = new Set([8, 12, 13, 14]);

/**
 * GS1 mod-10 check digit for the digits that precede it (GTIN, GLN, SSCC all share it): weights
 * 3, 1, 3, … counted from the rightmost data digit, so a leading zero never changes the result —
 * which is why a GTIN-13 keeps its check digit when padded to 14 digits.
 */
export function gtinCheckDigit(digits: string): number {
  if (!DIGITS.test(digits)) {
    throw new Gs1ParseError('gs1.bad_char', `check digit input must be digits only, got '${digits}'`);
  }
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(digits.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `digits` (data digits followed by the check digit) carries a correct mod-10 check digit. */
export function hasValidCheckDigit(digits: string): boolean {
  if (digits.length < 2 || !DIGITS.test(digits)) return false;
  return gtinCheckDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}

/** GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14 with a correct check digit. */
export function isValidGtin(gtin: string): boolean {
  return GTIN_LENGTHS.has(gtin.length) && hasValidCheckDigit(gtin);
}

/**
 * The 14-digit form of any GTIN. Catalogue lookups key on this form so that an EAN-13 scanned
 * from a retail box and the same GTIN inside a GS1 DataMatrix (always 14 digits) match.
 */
export function normaliseGtin(gtin: string): string {
  if (!DIGITS.test(gtin)) {
    throw new Gs1ParseError('gs1.bad_char', `GTIN must contain digits only, got '${gtin}'`, { ai: '01' });
  }
  if (!GTIN_LENGTHS.has(gtin.length)) {
    throw new Gs1ParseError(
      'gs1.bad_length',
      `GTIN must have 8, 12, 13 or 14 digits, got ${gtin.length} ('${gtin}')`,
      { ai: '01' },
    );
  }
  if (!hasValidCheckDigit(gtin)) {
    const expected = gtinCheckDigit(gtin.slice(0, -1));
    throw new Gs1ParseError(
      'gs1.check_digit',
      `GTIN ${gtin} has check digit ${gtin.at(-1)}, expected ${expected}`,
      { ai: '01' },
    );
  }
  return gtin.padStart(14, '0');
}
