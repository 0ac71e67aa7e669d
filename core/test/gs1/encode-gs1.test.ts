import { describe, expect, it } from 'vitest';
import { encodeGs1Label, GS, parseGs1 } from '../../src/gs1/index.ts';

describe('encodeGs1Label', () => {
  it('puts fixed-length AIs first and separates only the variable ones; the parser reads it back', () => {
    const e = encodeGs1Label({ gtin: '09506000134352', lot: 'AB-12', expiry: '2027-08-31', quantity: 10 });
    if ('problems' in e) throw new Error('unexpected problems');
    expect(e.parenthesised).toBe('(01)09506000134352(17)270831(10)AB-12(30)10');
    expect(e.elementString).toBe(`01095060001343521727083110AB-12${GS}3010`);
    const parsed = parseGs1(e.elementString, { referenceDate: new Date('2026-01-01') });
    expect(parsed.gtin).toBe('09506000134352');
    expect(parsed.lot).toBe('AB-12');
    expect(parsed.expiry).toBe('2027-08-31');
    expect(parsed.count).toBe(10);
  });

  it('a GTIN-13 is padded to 14 digits; lot, expiry and count are optional', () => {
    const e = encodeGs1Label({ gtin: '4006381333931' });
    expect('problems' in e ? e.problems : e.parenthesised).toBe('(01)04006381333931');
  });

  it('names what cannot be encoded', () => {
    const e = encodeGs1Label({ gtin: '09506000134353', lot: '批号1', expiry: '2027/08/31', quantity: 1.5 });
    expect('problems' in e && e.problems.map((p) => p.field)).toEqual(['gtin', 'expiry', 'lot', 'quantity']);
  });
});
