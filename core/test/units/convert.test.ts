import { describe, expect, it } from 'vitest';
import {
  formatQuantity,
  fromBaseQuantity,
  type ItemUnits,
  roundUpToPack,
  toBaseQuantity,
  UnitConversionError,
  unitFactor,
} from '../../src/units/index.ts';

// 1 box (盒) = 10 packs (包) = 100 pieces (支), the DOMAIN.md example.
const syringe: ItemUnits = {
  baseUnit: { code: 'piece', zh: '支', en: 'piece' },
  packUnits: [
    { code: 'pack', zh: '包', en: 'pack', factor: 10 },
    { code: 'box', zh: '盒', en: 'box', factor: 100, contains: 'pack' },
  ],
};

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnitConversionError);
    return (error as UnitConversionError).code;
  }
  return 'no error';
}

describe('toBaseQuantity', () => {
  it.each([
    [3, 'box', 300],
    [3, 'pack', 30],
    [7, 'piece', 7],
    [0, 'box', 0],
    [2.5, 'box', 250],
    [0.3, 'pack', 3], // 0.3 × 10 is 3.0000000000000004 in binary floating point
    [0.07, 'box', 7],
    [2.35, 'box', 235],
  ])('%d %s → %d', (quantity, unit, expected) => {
    expect(toBaseQuantity(syringe, quantity, unit)).toBe(expected);
  });

  it('units.not_integer when the result is a fraction of a base unit', () => {
    expect(codeOf(() => toBaseQuantity(syringe, 0.5, 'piece'))).toBe('units.not_integer');
    expect(codeOf(() => toBaseQuantity(syringe, 0.05, 'pack'))).toBe('units.not_integer');
    expect(codeOf(() => toBaseQuantity(syringe, 1 / 3, 'box'))).toBe('units.not_integer');
  });

  it('units.negative unless negatives are allowed (stock adjustments)', () => {
    expect(codeOf(() => toBaseQuantity(syringe, -1, 'box'))).toBe('units.negative');
    expect(toBaseQuantity(syringe, -1, 'box', { allowNegative: true })).toBe(-100);
    expect(Object.is(toBaseQuantity(syringe, -0, 'box'), 0)).toBe(true);
  });

  it('units.not_finite for NaN and infinities', () => {
    expect(codeOf(() => toBaseQuantity(syringe, Number.NaN, 'box'))).toBe('units.not_finite');
    expect(codeOf(() => toBaseQuantity(syringe, Number.POSITIVE_INFINITY, 'box'))).toBe('units.not_finite');
    expect(codeOf(() => toBaseQuantity(syringe, '3' as unknown as number, 'box'))).toBe('units.not_finite');
  });

  it('units.unknown_unit lists the units the item has', () => {
    expect(codeOf(() => toBaseQuantity(syringe, 1, 'case'))).toBe('units.unknown_unit');
    expect(() => toBaseQuantity(syringe, 1, 'case')).toThrow(/piece, pack, box/);
  });

  it('units.out_of_range beyond exact integers', () => {
    expect(codeOf(() => toBaseQuantity(syringe, 1e15, 'box'))).toBe('units.out_of_range');
  });

  it('carries unit and quantity on the error', () => {
    try {
      toBaseQuantity(syringe, 0.5, 'piece');
    } catch (error) {
      expect(error).toMatchObject({ name: 'UnitConversionError', unit: 'piece', quantity: 0.5 });
    }
  });
});

describe('fromBaseQuantity', () => {
  it('235 pieces → 2 box 3 pack 5 piece', () => {
    expect(fromBaseQuantity(syringe, 235)).toEqual([
      { unit: 'box', quantity: 2, factor: 100 },
      { unit: 'pack', quantity: 3, factor: 10 },
      { unit: 'piece', quantity: 5, factor: 1 },
    ]);
  });

  it('leaves out zero lines but always says something', () => {
    expect(fromBaseQuantity(syringe, 200)).toEqual([{ unit: 'box', quantity: 2, factor: 100 }]);
    expect(fromBaseQuantity(syringe, 205)).toEqual([
      { unit: 'box', quantity: 2, factor: 100 },
      { unit: 'piece', quantity: 5, factor: 1 },
    ]);
    expect(fromBaseQuantity(syringe, 7)).toEqual([{ unit: 'piece', quantity: 7, factor: 1 }]);
    expect(fromBaseQuantity(syringe, 0)).toEqual([{ unit: 'piece', quantity: 0, factor: 1 }]);
  });

  it('can be limited to some pack units', () => {
    expect(fromBaseQuantity(syringe, 235, { units: ['box'] })).toEqual([
      { unit: 'box', quantity: 2, factor: 100 },
      { unit: 'piece', quantity: 35, factor: 1 },
    ]);
    expect(fromBaseQuantity(syringe, 235, { units: [] })).toEqual([
      { unit: 'piece', quantity: 235, factor: 1 },
    ]);
    expect(codeOf(() => fromBaseQuantity(syringe, 235, { units: ['case'] }))).toBe('units.unknown_unit');
  });

  it('works with packs that are not nested and declared in any order', () => {
    const gloves: ItemUnits = {
      baseUnit: { code: 'pair' },
      packUnits: [
        { code: 'bag', factor: 5 },
        { code: 'box', factor: 12 },
      ],
    };
    expect(fromBaseQuantity(gloves, 29)).toEqual([
      { unit: 'box', quantity: 2, factor: 12 },
      { unit: 'bag', quantity: 1, factor: 5 },
    ]);
  });

  it('rejects base quantities that are not whole, non-negative numbers', () => {
    expect(codeOf(() => fromBaseQuantity(syringe, 2.5))).toBe('units.not_integer');
    expect(codeOf(() => fromBaseQuantity(syringe, -1))).toBe('units.negative');
    expect(codeOf(() => fromBaseQuantity(syringe, Number.NaN))).toBe('units.not_finite');
    expect(codeOf(() => fromBaseQuantity(syringe, 2 ** 60))).toBe('units.out_of_range');
  });

  it('round-trips with toBaseQuantity', () => {
    for (const base of [0, 1, 9, 10, 99, 100, 101, 235, 1000, 12345]) {
      const sum = fromBaseQuantity(syringe, base).reduce(
        (s, p) => s + toBaseQuantity(syringe, p.quantity, p.unit),
        0,
      );
      expect(sum).toBe(base);
    }
  });
});

describe('roundUpToPack, unitFactor, formatQuantity', () => {
  it('rounds an order up to whole packs', () => {
    expect(roundUpToPack(syringe, 130, 'box')).toBe(200);
    expect(roundUpToPack(syringe, 200, 'box')).toBe(200);
    expect(roundUpToPack(syringe, 1, 'pack')).toBe(10);
    expect(roundUpToPack(syringe, 0, 'box')).toBe(0);
    expect(roundUpToPack(syringe, 3, 'piece')).toBe(3);
    expect(codeOf(() => roundUpToPack(syringe, 1, 'case'))).toBe('units.unknown_unit');
  });

  it('unitFactor', () => {
    expect(unitFactor(syringe, 'piece')).toBe(1);
    expect(unitFactor(syringe, 'box')).toBe(100);
  });

  it('formats in Chinese and English', () => {
    expect(formatQuantity(syringe, 235, 'zh')).toBe('2盒3包5支');
    expect(formatQuantity(syringe, 235, 'en')).toBe('2 box 3 pack 5 piece');
    expect(formatQuantity(syringe, 0, 'zh')).toBe('0支');
    expect(formatQuantity({ baseUnit: { code: 'piece' }, packUnits: [] }, 4, 'zh')).toBe('4piece');
  });
});
