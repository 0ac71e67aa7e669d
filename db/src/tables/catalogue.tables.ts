import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** Catalogue tables (DDL in migrations/tenant/0002). Quantities are integer base units. */
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const items = pgTable('items', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  code: text('code').notNull(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  specification: text('specification').notNull().default(''),
  category: text('category').notNull().default('general'),
  baseUnit: text('base_unit').notNull(),
  baseUnitZh: text('base_unit_zh').notNull().default(''),
  baseUnitEn: text('base_unit_en').notNull().default(''),
  gtin: text('gtin'),
  /** 医保医用耗材编码 (migrations/tenant/0024). */
  nhsaCode: text('nhsa_code'),
  /** UDI-DI, the device identifier of the 医疗器械唯一标识 (0024). */
  udiDi: text('udi_di'),
  manufacturer: text('manufacturer'),
  ved: text('ved').$type<'V' | 'E' | 'D'>().notNull().default('E'),
  abc: text('abc').$type<'A' | 'B' | 'C'>(),
  storage: text('storage').$type<'room' | 'cool' | 'cold' | 'frozen'>().notNull().default('room'),
  substituteGroup: text('substitute_group'),
  unitCost: numeric('unit_cost', { precision: 14, scale: 4, mode: 'number' }).notNull().default(0),
  /** Per site per month, base units: the forecast's prior for a new clinic (template or set by the clinic). */
  typicalMonthlyUsage: numeric('typical_monthly_usage', { mode: 'number' }),
  lotTracked: boolean('lot_tracked').notNull().default(true),
  templateCode: text('template_code'),
  active: boolean('active').notNull().default(true),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const itemUnits = pgTable(
  'item_units',
  {
    itemId: uuid('item_id').notNull(),
    code: text('code').notNull(),
    nameZh: text('name_zh').notNull().default(''),
    nameEn: text('name_en').notNull().default(''),
    factor: integer('factor').notNull(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.code] })],
);

export const suppliers = pgTable('suppliers', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  code: text('code').notNull(),
  name: text('name').notNull(),
  contactEmail: text('contact_email'),
  phone: text('phone'),
  nominalLeadTimeDays: numeric('nominal_lead_time_days', { precision: 6, scale: 2, mode: 'number' })
    .notNull()
    .default(7),
  active: boolean('active').notNull().default(true),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const itemSuppliers = pgTable(
  'item_suppliers',
  {
    itemId: uuid('item_id').notNull(),
    supplierId: uuid('supplier_id').notNull(),
    supplierItemCode: text('supplier_item_code'),
    packPrice: numeric('pack_price', { precision: 14, scale: 4, mode: 'number' }).notNull().default(0),
    packSize: integer('pack_size').notNull().default(1),
    moqPacks: integer('moq_packs').notNull().default(1),
    nominalLeadTimeDays: numeric('nominal_lead_time_days', { precision: 6, scale: 2, mode: 'number' }),
    preferred: boolean('preferred').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.supplierId] })],
);

export const parLevels = pgTable(
  'par_levels',
  {
    locationId: uuid('location_id').notNull(),
    itemId: uuid('item_id').notNull(),
    minQty: bigint('min_qty', { mode: 'number' }).notNull().default(0),
    maxQty: bigint('max_qty', { mode: 'number' }),
  },
  (t) => [primaryKey({ columns: [t.locationId, t.itemId] })],
);
