import type { LedgerType } from '@medstock/core';
import { sql } from 'drizzle-orm';
import {
  bigint,
  date,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** Lots, on-hand, the append-only movement ledger and stock reports (DDL in migrations/tenant/0002, 0013). */
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const lots = pgTable('lots', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  itemId: uuid('item_id').notNull(),
  lotNumber: text('lot_number').notNull(),
  expiryDate: date('expiry_date', { mode: 'string' }),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const stock = pgTable(
  'stock',
  {
    locationId: uuid('location_id').notNull(),
    itemId: uuid('item_id').notNull(),
    lotId: uuid('lot_id').notNull(),
    onHand: bigint('on_hand', { mode: 'number' }).notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.locationId, t.itemId, t.lotId] })],
);

/** A stored ledger row's type: core's LEDGER_TYPES (core/src/ledger/movement-kinds.ts). */
export type MovementType = LedgerType;

export const movements = pgTable('movements', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  groupId: uuid('group_id').notNull(),
  type: text('type').$type<MovementType>().notNull(),
  itemId: uuid('item_id').notNull(),
  locationId: uuid('location_id').notNull(),
  lotId: uuid('lot_id'),
  quantity: bigint('quantity', { mode: 'number' }).notNull(),
  unitCost: numeric('unit_cost', { precision: 14, scale: 4, mode: 'number' }),
  reason: text('reason'),
  reference: text('reference'),
  source: text('source').notNull().default('api'),
  purchaseOrderLineId: uuid('purchase_order_line_id'),
  scheduledProcedureId: uuid('scheduled_procedure_id'),
  /** Stocktake rows: the count (quantity is the variance). A whole item-location count's header has no lot. */
  counted: bigint('counted', { mode: 'number' }),
  importId: uuid('import_id'),
  /** History imports: hash of the imported row (content + ordinal among identical rows). */
  importRowKey: uuid('import_row_key'),
  occurredAt: ts('occurred_at').notNull().defaultNow(),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
  actorId: uuid('actor_id'),
});

/** A periodic stock report (库存月报) of one item-location; posting it wrote ledger group `groupId`. */
export const stockReports = pgTable('stock_reports', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  itemId: uuid('item_id').notNull(),
  locationId: uuid('location_id').notNull(),
  periodStart: date('period_start', { mode: 'string' }).notNull(),
  periodEnd: date('period_end', { mode: 'string' }).notNull(),
  opening: bigint('opening', { mode: 'number' }),
  received: bigint('received', { mode: 'number' }).notNull(),
  issued: bigint('issued', { mode: 'number' }).notNull(),
  losses: bigint('losses', { mode: 'number' }).notNull(),
  lossesReason: text('losses_reason'),
  adjustments: bigint('adjustments', { mode: 'number' }).notNull(),
  adjustmentsReason: text('adjustments_reason'),
  closingCount: bigint('closing_count', { mode: 'number' }).notNull(),
  stockoutDays: integer('stockout_days').notNull(),
  bookOpening: bigint('book_opening', { mode: 'number' }),
  bookClosing: bigint('book_closing', { mode: 'number' }).notNull(),
  variance: bigint('variance', { mode: 'number' }).notNull(),
  groupId: uuid('group_id').notNull(),
  source: text('source').notNull(),
  importId: uuid('import_id'),
  createdBy: uuid('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
});
