import { describe, expect, it } from 'vitest';
import {
  assertCatalogueTemplate,
  type CatalogueIssue,
  CatalogueValidationError,
  validateCatalogueTemplate,
} from '../../src/catalogue/index.ts';

type Mutable = Record<string, unknown> & { items: Record<string, unknown>[] };

function item(code: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code,
    name: { zh: '一次性使用无菌注射器 5ml', en: 'Sterile single-use syringe 5 ml' },
    specification: '5ml 带针 0.7×32mm',
    category: 'injection',
    baseUnit: { code: 'piece', zh: '支', en: 'piece' },
    packUnits: [
      { code: 'box', zh: '盒', en: 'box', factor: 100 },
      { code: 'case', zh: '箱', en: 'case', factor: 1500, contains: 'box' },
    ],
    ved: 'V',
    storage: 'room',
    unitCost: 0.35,
    ...extra,
  };
}

function template(): Mutable {
  return {
    code: 'test-template',
    name: { zh: '测试', en: 'Test' },
    description: { zh: '测试模板', en: 'Test template' },
    categories: [
      { code: 'injection', zh: '注射穿刺类', en: 'Injection & puncture' },
      { code: 'implant', zh: '植入物', en: 'Implants' },
    ],
    items: [
      item('T-0001', {
        gtin: '06953001200037',
        packUnits: [{ code: 'box', zh: '盒', en: 'box', factor: 100, gtin: '16953001200034' }],
      }),
      item('T-0002', {
        name: { zh: '金属接骨螺钉', en: 'Cortical screw' },
        category: 'implant',
        baseUnit: { code: 'piece', zh: '枚', en: 'piece' },
        packUnits: [],
        ved: 'E',
        unitCost: 38,
        highValue: true,
        implant: true,
        substituteGroup: 'screw-3.5',
      }),
    ],
  };
}

const summary = (issues: CatalogueIssue[]) => issues.map((i) => `${i.code}@${i.path}`);

describe('validateCatalogueTemplate', () => {
  it('accepts a valid template', () => {
    expect(validateCatalogueTemplate(template())).toEqual([]);
  });

  it('rejects input that is not an object', () => {
    for (const json of [null, [], 'x', 42, undefined]) {
      expect(summary(validateCatalogueTemplate(json))).toEqual(['catalogue.not_object@']);
    }
  });

  it('reports duplicate item codes and malformed codes', () => {
    const t = template();
    t.items.push(item('T-0001'), item('t 3'));
    expect(summary(validateCatalogueTemplate(t))).toEqual([
      'catalogue.duplicate_code@items[2].code',
      'catalogue.bad_code@items[3].code',
    ]);
  });

  it('reports missing names (item, template, category)', () => {
    const t = template();
    t.items[0]!.name = { zh: '', en: 'Syringe' };
    t.items[1]!.name = undefined;
    t.name = { zh: '测试' };
    (t.categories as Record<string, unknown>[])[0]!.en = ' ';
    expect(summary(validateCatalogueTemplate(t))).toEqual([
      'catalogue.missing_name@name.en',
      'catalogue.missing_name@categories[0].en',
      'catalogue.missing_name@items[0].name.zh',
      'catalogue.missing_name@items[1].name',
    ]);
  });

  it('reports bad VED, storage and cost', () => {
    const t = template();
    Object.assign(t.items[0]!, { ved: 'A', storage: 'frozen', unitCost: 0 });
    Object.assign(t.items[1]!, { ved: 'v', unitCost: '38' });
    expect(summary(validateCatalogueTemplate(t))).toEqual([
      'catalogue.bad_ved@items[0].ved',
      'catalogue.bad_storage@items[0].storage',
      'catalogue.bad_cost@items[0].unitCost',
      'catalogue.bad_ved@items[1].ved',
      'catalogue.bad_cost@items[1].unitCost',
    ]);
  });

  it('reports categories outside the fixed list or the template', () => {
    const t = template();
    (t.categories as Record<string, unknown>[]).push({ code: 'toys', zh: '玩具', en: 'Toys' });
    t.items[0]!.category = 'dental';
    expect(summary(validateCatalogueTemplate(t))).toEqual([
      'catalogue.unknown_category@categories[2].code',
      'catalogue.unknown_category@items[0].category',
    ]);
  });

  it('reports bad units and factors with the unit issue codes', () => {
    const t = template();
    t.items[0]!.packUnits = [
      { code: 'box', zh: '盒', en: 'box', factor: 100 },
      { code: 'case', zh: '箱', en: 'case', factor: 1250, contains: 'box' },
      { code: 'pack', zh: '包', en: 'pack', factor: 0.5 },
      { code: 'box', zh: '盒', en: 'box', factor: 50 },
    ];
    t.items[1]!.baseUnit = { code: 'piece', zh: '枚' };
    expect(summary(validateCatalogueTemplate(t))).toEqual([
      'units.bad_factor@items[0].packUnits[2].factor',
      'units.duplicate_code@items[0].packUnits[3].code',
      'units.not_multiple@items[0].packUnits[1].factor',
      'catalogue.bad_unit@items[1].baseUnit.en',
    ]);
  });

  it('reports structurally broken units without crashing', () => {
    const t = template();
    t.items[0]!.packUnits = [{ code: 'box', zh: '盒', en: 'box', factor: '100' }, 'box'];
    t.items[1]!.baseUnit = 'piece';
    t.items.push(item('T-0003', { packUnits: undefined }));
    expect(summary(validateCatalogueTemplate(t))).toEqual([
      'catalogue.bad_unit@items[0].packUnits[0].factor',
      'catalogue.bad_unit@items[0].packUnits[1]',
      'catalogue.bad_unit@items[1].baseUnit',
      'catalogue.bad_unit@items[2].packUnits',
    ]);
  });

  it('reports bad GTIN check digits, non-14-digit GTINs and duplicates', () => {
    const t = template();
    t.items[0]!.gtin = '06953001200038';
    t.items[1]!.gtin = '6953001200037'; // valid GTIN-13, but templates store GTIN-14
    t.items.push(item('T-0003', { gtin: '16953001200034' })); // the box GTIN of T-0001
    t.items.push(
      item('T-0004', {
        packUnits: [{ code: 'box', zh: '盒', en: 'box', factor: 10, gtin: '16953001200034' }],
      }),
    );
    expect(summary(validateCatalogueTemplate(t))).toEqual([
      'catalogue.bad_gtin@items[0].gtin',
      'catalogue.bad_gtin@items[1].gtin',
      'catalogue.duplicate_gtin@items[2].gtin',
      'catalogue.duplicate_gtin@items[3].packUnits[0].gtin',
    ]);
    expect(validateCatalogueTemplate(t)[0]?.message).toMatch(/T-0001.*06953001200038/);
  });

  it('reports a GTIN shared by two items', () => {
    const t = template();
    t.items.push(item('T-0003', { gtin: '06953001200037' }));
    expect(summary(validateCatalogueTemplate(t))).toEqual(['catalogue.duplicate_gtin@items[2].gtin']);
  });

  it('reports unknown fields (typos would silently drop data)', () => {
    const t = template();
    t.items[0]!.substitueGroup = 'x';
    t.version = 2;
    expect(summary(validateCatalogueTemplate(t))).toEqual([
      'catalogue.unknown_field@version',
      'catalogue.unknown_field@items[0].substitueGroup',
    ]);
  });

  it('reports missing specification, empty items and bad flags', () => {
    const t = template();
    t.items[0]!.specification = '';
    t.items[1]!.highValue = 'yes';
    expect(summary(validateCatalogueTemplate(t))).toEqual([
      'catalogue.missing_field@items[0].specification',
      'catalogue.bad_type@items[1].highValue',
    ]);
    expect(summary(validateCatalogueTemplate({ ...template(), items: [] }))).toEqual([
      'catalogue.missing_field@items',
    ]);
  });

  it('substitutes must share a base unit', () => {
    const t = template();
    t.items.push(
      item('T-0003', {
        substituteGroup: 'screw-3.5',
        baseUnit: { code: 'box', zh: '盒', en: 'box' },
        packUnits: [],
      }),
    );
    expect(summary(validateCatalogueTemplate(t))).toEqual([
      'catalogue.substitute_unit_mismatch@items[2].substituteGroup',
    ]);
  });

  it('reports several problems at once', () => {
    const t = template();
    t.code = 'Bad Code';
    t.items[0]!.ved = 'X';
    t.items[1]!.code = 'T-0001';
    expect(validateCatalogueTemplate(t)).toHaveLength(3);
  });
});

describe('assertCatalogueTemplate', () => {
  it('passes a valid template and throws with every issue otherwise', () => {
    expect(() => assertCatalogueTemplate(template())).not.toThrow();
    const t = template();
    t.items[0]!.ved = 'X';
    t.items[1]!.storage = 'hot';
    try {
      assertCatalogueTemplate(t);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CatalogueValidationError);
      expect((error as CatalogueValidationError).issues).toHaveLength(2);
      expect((error as Error).message).toMatch(/items\[0\]\.ved/);
    }
  });
});
