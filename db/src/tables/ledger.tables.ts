import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** Lots, on-hand and the append-only movement ledger (DDL in migrations/tenant/0002). */
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

export type MovementType =
  | 'receipt'
  | 'issue'
  | 'transfer_out'
  | 'transfer_in'
  | 'adjustment'
  | 'stocktake'
  | 'return'
  | 'write_off';

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
  historical: boolean('historical').notNull().default(false),
  occurredAt: ts('occurred_at').notNull().defaultNow(),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
  actorId: uuid('actor_id'),
});
