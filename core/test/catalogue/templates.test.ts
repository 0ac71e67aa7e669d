import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildGtinIndex,
  type CatalogueTemplate,
  findByGtin,
  validateCatalogueTemplate,
} from '../../src/catalogue/index.ts';
import { parseGs1 } from '../../src/gs1/index.ts';
import { toBaseQuantity, validatePackUnits } from '../../src/units/index.ts';

const dir = new URL('../../../db/catalogue-templates/', import.meta.url);
const load = (file: string): unknown => JSON.parse(readFileSync(new URL(file, dir), 'utf8'));

const expected: Record<string, [min: number, max: number]> = {
  'community-health-centre.json': [130, 170],
  'small-hospital-theatre.json': [370, 440],
  'dental-outpatient.json': [90, 120],
};

describe('catalogue template files', () => {
  it('the directory holds exactly the expected templates', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  describe.each(Object.entries(expected))('%s', (file, [min, max]) => {
    const json = load(file);

    it('validates with zero issues', () => {
      expect(validateCatalogueTemplate(json)).toEqual([]);
    });

    const template = json as CatalogueTemplate;

    it(`has ${min}–${max} items and a code matching the file name`, () => {
      expect(template.items.length).toBeGreaterThanOrEqual(min);
      expect(template.items.length).toBeLessThanOrEqual(max);
      expect(template.code).toBe(file.replace(/\.json$/, ''));
    });

    it('lists only categories it uses', () => {
      const used = new Set(template.items.map((i) => i.category));
      expect(template.categories.map((c) => c.code).filter((c) => !used.has(c))).toEqual([]);
    });

    it('uses GS1 China company prefixes 0695… and indicator digits for packs', () => {
      for (const item of template.items) {
        if (item.gtin) expect(item.gtin).toMatch(/^0695\d{10}$/);
        for (const pack of item.packUnits) if (pack.gtin) expect(pack.gtin).toMatch(/^[1-8]695\d{10}$/);
      }
    });

    it('every item has a realistic cost and units a storekeeper can count', () => {
      for (const item of template.items) {
        expect(item.unitCost, item.code).toBeGreaterThan(0);
        expect(item.unitCost, item.code).toBeLessThan(20_000);
        expect(validatePackUnits(item), item.code).toEqual([]);
      }
    });

    it('has items in each VED class', () => {
      const classes = new Set(template.items.map((i) => i.ved));
      expect([...classes].sort()).toEqual(['D', 'E', 'V']);
    });
  });

  it('the theatre template covers surgical and high-value items', () => {
    const theatre = load('small-hospital-theatre.json') as CatalogueTemplate;
    const categories = new Set(theatre.items.map((i) => i.category));
    for (const c of ['suture', 'drape-gown', 'catheter', 'surgical', 'implant', 'airway'])
      expect(categories).toContain(c);
    const names = theatre.items.map((i) => i.name.en).join('\n');
    for (const word of ['trocar', 'stapler', 'gown', 'drape', 'screw', 'Foley', 'polyglactin']) {
      expect(names).toMatch(new RegExp(word, 'i'));
    }
    expect(theatre.items.filter((i) => i.highValue).length).toBeGreaterThan(50);
    expect(theatre.items.filter((i) => i.implant).every((i) => i.category === 'implant' || i.highValue)).toBe(
      true,
    );
  });

  it('the same product carries the same GTIN in every template', () => {
    const byGtin = new Map<string, string>();
    for (const file of Object.keys(expected)) {
      for (const item of (load(file) as CatalogueTemplate).items) {
        if (!item.gtin) continue;
        const key = `${item.name.zh}|${item.specification}`;
        expect(byGtin.get(item.gtin) ?? key, item.gtin).toBe(key);
        byGtin.set(item.gtin, key);
      }
    }
  });

  it('a scanned box label books the box factor in base units', () => {
    const chc = load('community-health-centre.json') as CatalogueTemplate;
    const item = chc.items.find((i) => i.packUnits.some((p) => p.gtin))!;
    const pack = item.packUnits.find((p) => p.gtin)!;
    const scan = parseGs1(`]d2${'01'}${pack.gtin}17281231${'10'}LOT1`, {
      referenceDate: new Date('2025-01-01'),
    });
    const match = findByGtin(buildGtinIndex(chc.items), scan.gtin!);
    expect(match).toEqual({ itemCode: item.code, unitCode: pack.code });
    expect(toBaseQuantity(item, 2, match!.unitCode)).toBe(2 * pack.factor);
  });
});
