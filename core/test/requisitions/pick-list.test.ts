import { describe, expect, it } from 'vitest';
import { packLabel, parsePackLabel, pickFirstExpiry } from '../../src/requisitions/index.ts';

const today = '2026-12-01';

describe('pickFirstExpiry', () => {
  const lots = [
    { lotNumber: 'LATE', expiryDate: '2028-01-31', onHand: 50 },
    { lotNumber: 'NONE', expiryDate: null, onHand: 100 },
    { lotNumber: 'SOON', expiryDate: '2027-01-31', onHand: 5 },
    { lotNumber: 'GONE', expiryDate: '2026-11-30', onHand: 7 },
    { lotNumber: 'HELD', expiryDate: '2026-12-15', onHand: 9, held: 9 },
    { lotNumber: 'PART', expiryDate: '2026-12-20', onHand: 4, held: 3 },
  ];

  it('takes the earliest usable expiry first, skipping expired and quarantined lots', () => {
    const r = pickFirstExpiry(lots, 20, { today });
    expect(r.picks.map((p) => [p.lot.lotNumber, p.quantity])).toEqual([
      ['PART', 1],
      ['SOON', 5],
      ['LATE', 14],
    ]);
    expect(r).toMatchObject({ shortfall: 0, skippedExpired: 7, skippedQuarantined: 12 });
  });

  it('reports the shortfall instead of failing, and reaches lots without expiry last', () => {
    const r = pickFirstExpiry(lots, 200, { today });
    expect(r.picks.map((p) => p.lot.lotNumber)).toEqual(['PART', 'SOON', 'LATE', 'NONE']);
    expect(r.shortfall).toBe(44);
  });

  it('a lot expiring today is still usable; write-offs may take unusable lots', () => {
    expect(pickFirstExpiry([{ lotNumber: 'T', expiryDate: today, onHand: 1 }], 1, { today }).shortfall).toBe(
      0,
    );
    const w = pickFirstExpiry(lots, 10, { today, allowUnusable: true });
    expect(w.picks.map((p) => [p.lot.lotNumber, p.quantity])).toEqual([
      ['GONE', 7],
      ['HELD', 3],
    ]);
  });
});

describe('pack labels', () => {
  it('round-trip the pack code and copy', () => {
    expect(packLabel('W3-GLOVE')).toBe('MSPK:W3-GLOVE');
    expect(parsePackLabel(packLabel('W3-GLOVE', 12))).toEqual({ code: 'W3-GLOVE', copy: 12 });
    expect(parsePackLabel(' mspk:W3-GLOVE ')).toEqual({ code: 'W3-GLOVE', copy: 1 });
    expect(parsePackLabel('W3-GLOVE')).toEqual({ code: 'W3-GLOVE', copy: 1 });
  });

  it('refuse what is not a pack label', () => {
    for (const bad of ['', 'MSPK:', 'MSPK:a b', 'MSPK:X:0', 'MSPK:X:1000', 'MSPK:X:1:2', '(01)0123']) {
      expect(parsePackLabel(bad), bad).toBeNull();
    }
  });
});
