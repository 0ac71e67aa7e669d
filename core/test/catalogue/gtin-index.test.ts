import { describe, expect, it } from 'vitest';
import { buildGtinIndex, type CatalogueItem, findByGtin } from '../../src/catalogue/index.ts';

const items: CatalogueItem[] = [
  {
    code: 'T-0001',
    name: { zh: '一次性使用无菌注射器 5ml', en: 'Sterile single-use syringe 5 ml' },
    specification: '5ml 带针 0.7×32mm',
    category: 'injection',
    baseUnit: { code: 'piece', zh: '支', en: 'piece' },
    packUnits: [{ code: 'box', zh: '盒', en: 'box', factor: 100, gtin: '19506000134359' }],
    ved: 'V',
    storage: 'room',
    unitCost: 0.35,
    gtin: '09506000134352',
  },
  {
    code: 'T-0002',
    name: { zh: '压舌板', en: 'Tongue depressor' },
    specification: '木质',
    category: 'general',
    baseUnit: { code: 'piece', zh: '支', en: 'piece' },
    packUnits: [],
    ved: 'D',
    storage: 'room',
    unitCost: 0.12,
  },
];

describe('buildGtinIndex / findByGtin', () => {
  const index = buildGtinIndex(items);

  it('maps item and pack GTINs to item and unit', () => {
    expect(index.size).toBe(2);
    expect(findByGtin(index, '09506000134352')).toEqual({ itemCode: 'T-0001', unitCode: 'piece' });
    expect(findByGtin(index, '19506000134359')).toEqual({ itemCode: 'T-0001', unitCode: 'box' });
  });

  it('finds a GTIN-13 scan of the 14-digit GTIN', () => {
    expect(findByGtin(index, '9506000134352')).toEqual({ itemCode: 'T-0001', unitCode: 'piece' });
  });

  it('returns undefined for unknown or invalid GTINs', () => {
    expect(findByGtin(index, '4006381333931')).toBeUndefined();
    expect(findByGtin(index, '9506000134353')).toBeUndefined();
    expect(findByGtin(index, 'abc')).toBeUndefined();
  });
});
