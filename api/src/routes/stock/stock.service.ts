import { organizationToday, withTenantDb } from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';

export type StockGrouping = 'item' | 'site' | 'location' | 'lot';

export interface StockFilter {
  itemId?: string;
  siteId?: string;
  locationId?: string;
}

export function stockConditions(auth: AuthContext, f: StockFilter): SQL[] {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds: SQL[] = [sql`s.on_hand > 0`];
  if (f.itemId) conds.push(sql`s.item_id = ${f.itemId}`);
  if (f.siteId) conds.push(sql`l.site_id = ${f.siteId}`);
  if (f.locationId) conds.push(sql`s.location_id = ${f.locationId}`);
  if (auth.siteIds !== null) conds.push(sql`l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  return conds;
}

// What each grouping keeps apart; the rest is summed.
const GROUP_COLUMNS: Record<StockGrouping, { select: SQL; group: SQL; key: SQL }> = {
  item: {
    select: sql`null::uuid as site_id, null::uuid as location_id, null::text as lot_number, null::text as expiry_date`,
    group: sql`i.id`,
    key: sql`i.code`,
  },
  site: {
    select: sql`l.site_id, null::uuid as location_id, null::text as lot_number, null::text as expiry_date`,
    group: sql`i.id, l.site_id`,
    key: sql`i.code || '|' || l.site_id::text`,
  },
  location: {
    select: sql`l.site_id, s.location_id, null::text as lot_number, null::text as expiry_date`,
    group: sql`i.id, l.site_id, s.location_id`,
    key: sql`i.code || '|' || s.location_id::text`,
  },
  lot: {
    select: sql`l.site_id, s.location_id, lo.lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date`,
    group: sql`i.id, l.site_id, s.location_id, lo.id`,
    key: sql`i.code || '|' || s.location_id::text || '|' || lo.id::text`,
  },
};

export type StockRow = {
  key: string;
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  site_id: string | null;
  location_id: string | null;
  lot_number: string | null;
  expiry_date: string | null;
  on_hand: number;
  /** Units on hold (quarantine: inspection pending, a recall); available = on_hand − held. */
  held: number;
  /** Consignment: units that are a supplier's until used (vendor-owned lots). */
  vendor_owned: number;
  value: string;
};

/** On-hand by item, site, location or lot, with its value at the item's unit cost. */
export async function stockOnHand(
  deps: AppDeps,
  auth: AuthContext,
  groupBy: StockGrouping,
  f: StockFilter,
  limit: number,
  after?: string,
) {
  const g = GROUP_COLUMNS[groupBy];
  const conds = stockConditions(auth, f);
  const having = after === undefined ? sql`` : sql`having ${g.key} > ${after}`;
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<StockRow>(sql`
      select ${g.key} as key, i.id as item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit, ${g.select},
             sum(s.on_hand)::bigint as on_hand, sum(least(s.quarantined, s.on_hand))::bigint as held,
             sum(case when lo.owner_supplier_id is null then 0 else s.on_hand end)::bigint as vendor_owned,
             ${OWN_VALUE} as value
        from stock s join items i on i.id = s.item_id join locations l on l.id = s.location_id join lots lo on lo.id = s.lot_id
       where ${sql.join(conds, sql` and `)}
       group by ${g.group}, i.code${groupBy === 'lot' ? sql`, lo.lot_number, lo.expiry_date` : sql``}
       ${having}
       order by key limit ${limit + 1}`),
  );
  return r.rows;
}

export type ExpiryRow = {
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  site_id: string;
  location_id: string;
  lot_number: string;
  expiry_date: string;
  days_left: number;
  on_hand: number;
  value: string;
};

/** Lots expiring within `withinDays` (and already expired), bucketed 0–30 / 31–60 / 61–90 days. */
export async function nearExpiry(deps: AppDeps, auth: AuthContext, f: StockFilter, withinDays: number) {
  const conds = stockConditions(auth, f);
  // Days left count the organisation's local days.
  const r = await withTenantDb(deps.database.db, auth, async (tx) => {
    const today = sql`${await organizationToday(tx)}::date`;
    const within = sql`lo.expiry_date is not null and lo.expiry_date <= ${today} + ${withinDays}::int`;
    return tx.execute<ExpiryRow>(sql`
      select i.id as item_id, i.code as item_code, i.name_zh, i.name_en, l.site_id, s.location_id, lo.lot_number,
             to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date, (lo.expiry_date - ${today}) as days_left,
             s.on_hand, (s.on_hand * i.unit_cost)::numeric(18,2)::text as value
        from stock s join items i on i.id = s.item_id join locations l on l.id = s.location_id join lots lo on lo.id = s.lot_id
       where ${sql.join([...conds, within], sql` and `)}
       order by lo.expiry_date, i.code limit 5000`);
  });
  return r.rows;
}

export function expiryBucket(daysLeft: number): 'expired' | '0-30' | '31-60' | '61-90' | 'later' {
  if (daysLeft < 0) return 'expired';
  if (daysLeft <= 30) return '0-30';
  if (daysLeft <= 60) return '31-60';
  if (daysLeft <= 90) return '61-90';
  return 'later';
}

export type ValuationRow = {
  site_id: string;
  category: string;
  on_hand: number;
  value: string;
  vendor_owned: number;
  vendor_owned_value: string;
  items: number;
};

// The hospital's own inventory value: consignment stock counts in on-hand, but its value is the
// supplier's (GET /v1/consignment/stock values it at the supplier's price).
const OWN_VALUE = sql`sum(case when lo.owner_supplier_id is null then s.on_hand * i.unit_cost else 0 end)::numeric(18,2)::text`;

/** Stock value per site and category at the items' unit cost. */
export async function valuation(deps: AppDeps, auth: AuthContext, f: StockFilter) {
  const conds = stockConditions(auth, f);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<ValuationRow>(sql`
      select l.site_id, i.category, sum(s.on_hand)::bigint as on_hand, ${OWN_VALUE} as value,
             sum(case when lo.owner_supplier_id is null then 0 else s.on_hand end)::bigint as vendor_owned,
             sum(case when lo.owner_supplier_id is null then 0 else s.on_hand * i.unit_cost end)::numeric(18,2)::text as vendor_owned_value,
             count(distinct i.id)::int as items
        from stock s join items i on i.id = s.item_id join locations l on l.id = s.location_id join lots lo on lo.id = s.lot_id
       where ${sql.join(conds, sql` and `)}
       group by l.site_id, i.category order by l.site_id, i.category`),
  );
  return r.rows;
}
