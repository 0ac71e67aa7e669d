import { sql } from 'drizzle-orm';
import { boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Tenant tables are declared without a schema: withTenantDb binds search_path to the tenant's
 * schema for the transaction, so the same definitions serve every organisation.
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const sites = pgTable('sites', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  code: text('code').notNull(),
  name: text('name').notNull(),
  kind: text('kind').$type<'hospital' | 'clinic' | 'community-centre' | 'warehouse'>().notNull(),
  address: text('address'),
  active: boolean('active').notNull().default(true),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const locations = pgTable('locations', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  siteId: uuid('site_id').notNull(),
  code: text('code').notNull(),
  name: text('name').notNull(),
  kind: text('kind').$type<'central-store' | 'ward' | 'theatre' | 'pharmacy' | 'other'>().notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** Every site starts with this location, so stock can be received on the first day. */
export const CENTRAL_STORE = {
  code: 'CENTRAL',
  name: 'Central store 中心库',
  kind: 'central-store',
} as const;
