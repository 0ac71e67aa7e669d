import {
  CATALOGUE_CATEGORIES,
  ITEM_CODE_MAX_LENGTH,
  ITEM_CODE_MIN_LENGTH,
  ITEM_CODE_PATTERN,
} from '@medstock/core';
import { ABC_CLASSES, VED_CLASSES } from '@medstock/core/policy/index.ts';
import { Type } from 'typebox';
import { DateTime, StringEnum, Uuid } from '../../lib/schemas.ts';

/** Shelf-label codes: core's one item-code rule (the items importer checks the same). */
export const ItemCode = Type.String({
  minLength: ITEM_CODE_MIN_LENGTH,
  maxLength: ITEM_CODE_MAX_LENGTH,
  pattern: ITEM_CODE_PATTERN,
});
export const Ved = StringEnum(VED_CLASSES, {
  description: 'V vital, E essential, D desirable (sets the service level with ABC)',
});
export const Abc = StringEnum(ABC_CLASSES, { description: 'Computed from consumption value; read-only' });
export const Storage = StringEnum(['room', 'cool', 'cold', 'frozen'], {
  description: 'room 常温 ≤30 °C, cool 阴凉 ≤20 °C, cold 冷藏 2–8 °C, frozen 冷冻',
});
/** The fixed category list of core: reports and thresholds group by it in every tenant. */
export const Category = StringEnum(
  CATALOGUE_CATEGORIES.map((c) => c.code),
  { description: CATALOGUE_CATEGORIES.map((c) => `${c.code}: ${c.en} ${c.zh}`).join('; ') },
);

// Unit codes and factors are checked by core's validatePackUnits (422 with per-field errors), so
// the schema only bounds their size here.
export const UnitInput = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 30, description: 'lowercase code, e.g. piece, box' }),
    zh: Type.Optional(Type.String({ maxLength: 30 })),
    en: Type.Optional(Type.String({ maxLength: 30 })),
  },
  { additionalProperties: false },
);
export const PackUnitInput = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 30 }),
    zh: Type.Optional(Type.String({ maxLength: 30 })),
    en: Type.Optional(Type.String({ maxLength: 30 })),
    factor: Type.Number({
      maximum: 2_147_483_647,
      description: 'Base units in one of this pack (integer ≥ 2)',
    }),
  },
  { additionalProperties: false },
);
export const PackUnitsInput = Type.Array(PackUnitInput, { maxItems: 10 });

export const Unit = Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String() });
export const PackUnit = Type.Object({
  code: Type.String(),
  zh: Type.String(),
  en: Type.String(),
  factor: Type.Integer(),
});

const nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Item = Type.Object({
  id: Uuid,
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  specification: Type.String(),
  category: Type.String(),
  baseUnit: Unit,
  packUnits: Type.Array(PackUnit, { description: 'Smallest first' }),
  gtin: nullable(Type.String({ description: 'GTIN-14' })),
  gtins: Type.Array(
    Type.Object({
      gtin: Type.String({ description: 'GTIN-14' }),
      unitCode: nullable(Type.String({ description: 'The pack unit it marks; null: the base unit' })),
    }),
    { description: 'More GTINs of the item (a box, an older pack), linked e.g. from an unknown scan' },
  ),
  nhsaCode: nullable(Type.String({ description: '医保医用耗材编码 (NHSA national consumable code)' })),
  udiDi: nullable(Type.String({ description: 'UDI-DI: the device identifier of 医疗器械唯一标识' })),
  manufacturer: nullable(Type.String()),
  ved: Ved,
  abc: nullable(Abc),
  storage: Storage,
  substituteGroup: nullable(Type.String()),
  unitCost: Type.Number({ description: 'Per base unit' }),
  typicalMonthlyUsage: Type.Union([Type.Number(), Type.Null()], {
    description:
      'Typical use per site per month (base units): the prior a new clinic’s forecast leans on until its own history speaks. From the catalogue template or set by the clinic.',
  }),
  lotTracked: Type.Boolean(),
  active: Type.Boolean(),
  templateCode: nullable(Type.String({ description: 'The catalogue template the item came from' })),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const SupplierTerm = Type.Object({
  itemId: Uuid,
  supplierId: Uuid,
  supplierCode: Type.String(),
  supplierName: Type.String(),
  supplierActive: Type.Boolean(),
  supplierItemCode: nullable(Type.String()),
  packPrice: Type.Number({ description: 'Price of one order pack' }),
  packSize: Type.Integer({ description: 'Base units in one order pack' }),
  moqPacks: Type.Integer({ description: 'Minimum order, in packs' }),
  nominalLeadTimeDays: nullable(
    Type.Number({ description: "This item's lead time; null: the supplier's default" }),
  ),
  effectiveLeadTimeDays: Type.Number({ description: 'nominalLeadTimeDays, or the supplier default' }),
  preferred: Type.Boolean(),
  unitPrice: Type.Number({ description: 'packPrice ÷ packSize, per base unit' }),
});

export const ItemDetail = Type.Object({
  ...Item.properties,
  suppliers: Type.Array(SupplierTerm, { description: 'Preferred first' }),
});

export const ItemBody = {
  code: ItemCode,
  nameZh: Type.String({ minLength: 1, maxLength: 300 }),
  nameEn: Type.String({ minLength: 1, maxLength: 300 }),
  specification: Type.Optional(Type.String({ maxLength: 500 })),
  category: Type.Optional(Category),
  baseUnit: UnitInput,
  packUnits: Type.Optional(PackUnitsInput),
  gtin: Type.Optional(
    nullable(Type.String({ pattern: '^[0-9]{8,14}$', description: 'GTIN-8/12/13/14; stored as GTIN-14' })),
  ),
  manufacturer: Type.Optional(nullable(Type.String({ maxLength: 300 }))),
  nhsaCode: Type.Optional(
    nullable(
      Type.String({
        maxLength: 60,
        description:
          '医保医用耗材编码: C and 19 digits (20 characters) or the 27-character full code; 422 `invalid_nhsa_code` otherwise',
      }),
    ),
  ),
  udiDi: Type.Optional(
    nullable(
      Type.String({
        maxLength: 100,
        description:
          'UDI-DI (GS1 GTIN, MA or another agency), printable characters without spaces, ≤ 60; a 14-digit one must carry a valid GS1 check digit. 422 `invalid_udi_di` otherwise',
      }),
    ),
  ),
  ved: Type.Optional(Ved),
  storage: Type.Optional(Storage),
  substituteGroup: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 100 }))),
  unitCost: Type.Optional(Type.Number({ minimum: 0, maximum: 9_999_999_999 })),
  typicalMonthlyUsage: Type.Optional(
    Type.Union([Type.Number({ minimum: 0, maximum: 1_000_000_000 }), Type.Null()]),
  ),
  lotTracked: Type.Optional(Type.Boolean()),
  active: Type.Optional(Type.Boolean()),
};
