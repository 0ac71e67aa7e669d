import { describe, expect, it } from 'vitest';
import { type ItemUnits, type PackUnit, validatePackUnits } from '../../src/units/index.ts';

const units = (packUnits: PackUnit[], base = 'piece'): ItemUnits => ({ baseUnit: { code: base }, packUnits });
const codes = (u: ItemUnits) => validatePackUnits(u).map((i) => `${i.code}@${i.path}`);

describe('validatePackUnits', () => {
  it('accepts nested and independent packs, and none at all', () => {
    expect(
      validatePackUnits(
        units([
          { code: 'pack', factor: 10 },
          { code: 'box', factor: 100, contains: 'pack' },
          { code: 'case', factor: 1000, contains: 'box' },
          { code: 'bag', factor: 25 },
          { code: 'card', factor: 6, contains: 'piece' },
        ]),
      ),
    ).toEqual([]);
    expect(validatePackUnits(units([]))).toEqual([]);
  });

  it('factors must be integers of at least 2', () => {
    expect(
      codes(
        units([
          { code: 'a', factor: 1 },
          { code: 'b', factor: 0 },
          { code: 'c', factor: -10 },
          { code: 'd', factor: 2.5 },
          { code: 'e', factor: Number.NaN },
        ]),
      ),
    ).toEqual([
      'units.bad_factor@packUnits[0].factor',
      'units.bad_factor@packUnits[1].factor',
      'units.bad_factor@packUnits[2].factor',
      'units.bad_factor@packUnits[3].factor',
      'units.bad_factor@packUnits[4].factor',
    ]);
  });

  it('codes are unique across base and pack units and well-formed', () => {
    expect(
      codes(
        units([
          { code: 'box', factor: 10 },
          { code: 'box', factor: 20 },
          { code: 'piece', factor: 5 },
          { code: 'Big Box', factor: 50 },
        ]),
      ),
    ).toEqual([
      'units.duplicate_code@packUnits[1].code',
      'units.duplicate_code@packUnits[2].code',
      'units.bad_code@packUnits[3].code',
    ]);
    expect(codes(units([], '支'))).toEqual(['units.bad_code@baseUnit.code']);
  });

  it('a nested pack must be a larger whole multiple of what it contains', () => {
    expect(
      codes(
        units([
          { code: 'pack', factor: 10 },
          { code: 'box', factor: 25, contains: 'pack' },
          { code: 'tray', factor: 5, contains: 'pack' },
        ]),
      ),
    ).toEqual(['units.not_multiple@packUnits[1].factor', 'units.not_multiple@packUnits[2].factor']);
  });

  it('contains must name another unit of the item', () => {
    expect(
      codes(
        units([
          { code: 'box', factor: 100, contains: 'pack' },
          { code: 'case', factor: 1000, contains: 'case' },
        ]),
      ),
    ).toEqual([
      'units.unknown_contains@packUnits[0].contains',
      'units.unknown_contains@packUnits[1].contains',
    ]);
  });

  it('messages name the units involved', () => {
    const [issue] = validatePackUnits(
      units([
        { code: 'pack', factor: 10 },
        { code: 'box', factor: 25, contains: 'pack' },
      ]),
    );
    expect(issue?.message).toMatch(/'box' \(25\) contains 'pack' \(10\)/);
  });
});
