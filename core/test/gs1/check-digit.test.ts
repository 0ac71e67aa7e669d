import { describe, expect, it } from 'vitest';
import {
  Gs1ParseError,
  gtinCheckDigit,
  hasValidCheckDigit,
  isValidGtin,
  normaliseGtin,
} from '../../src/gs1/index.ts';

describe('gtinCheckDigit', () => {
  it.each([
    ['950600013435', 2], // GS1 example GTIN 09506000134352
    ['0950600013435', 2], // a leading zero does not change the check digit
    ['400638133393', 1], // EAN-13 4006381333931
    ['03600029145', 2], // UPC-A 036000291452
    ['9638507', 4], // GTIN-8 96385074
    ['10614141123456789', 7], // SSCC 106141411234567897
    ['000000000000', 0],
  ])('%s → %i', (digits, expected) => {
    expect(gtinCheckDigit(digits)).toBe(expected);
  });

  it('rejects non-digits with gs1.bad_char', () => {
    expect(() => gtinCheckDigit('12a4')).toThrow(expect.objectContaining({ code: 'gs1.bad_char' }));
  });
});

describe('isValidGtin', () => {
  it.each(['96385074', '036000291452', '4006381333931', '09506000134352', '19506000134359'])(
    'accepts %s',
    (gtin) => {
      expect(isValidGtin(gtin)).toBe(true);
    },
  );

  it.each([
    ['wrong check digit', '09506000134353'],
    ['9 digits', '123456784'],
    ['15 digits', '009506000134352'],
    ['letters', '0950600013435X'],
    ['empty', ''],
    ['spaces', ' 9506000134352'],
  ])('rejects %s', (_why, gtin) => {
    expect(isValidGtin(gtin)).toBe(false);
  });

  it('hasValidCheckDigit works for any length (SSCC, GLN)', () => {
    expect(hasValidCheckDigit('106141411234567897')).toBe(true);
    expect(hasValidCheckDigit('106141411234567898')).toBe(false);
    expect(hasValidCheckDigit('5')).toBe(false);
  });
});

describe('normaliseGtin', () => {
  it('pads GTIN-8/12/13 to 14 digits and keeps GTIN-14', () => {
    expect(normaliseGtin('96385074')).toBe('00000096385074');
    expect(normaliseGtin('036000291452')).toBe('00036000291452');
    expect(normaliseGtin('9506000134352')).toBe('09506000134352');
    expect(normaliseGtin('19506000134359')).toBe('19506000134359');
  });

  it('throws Gs1ParseError with stable codes', () => {
    const attempt = (gtin: string) => {
      try {
        normaliseGtin(gtin);
      } catch (error) {
        expect(error).toBeInstanceOf(Gs1ParseError);
        return (error as Gs1ParseError).code;
      }
      return 'no error';
    };
    expect(attempt('9506000134353')).toBe('gs1.check_digit');
    expect(attempt('950600013435')).toBe('gs1.check_digit');
    expect(attempt('12345')).toBe('gs1.bad_length');
    expect(attempt('95060001343-2')).toBe('gs1.bad_char');
  });

  it('names the expected check digit in the message', () => {
    expect(() => normaliseGtin('09506000134353')).toThrow(/expected 2/);
  });
});
