import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { isoRequired } from '../../lib/schemas.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { OPEN_STATUSES } from './purchase-order.service.ts';

type ObservationRow = {
  id: number;
  supplier_id: string;
  item_id: string;
  purchase_order_id: string | null;
  purchase_order_number: string | null;
  ordered_at: Date | string;
  received_at: Date | string;
  lead_time_days: number;
  source: string;
};

type SummaryRow = {
  n: number;
  mean: number | null;
  sd: number | null;
  min: number | null;
  max: number | null;
  last: number | null;
  last_received_at: Date | string | null;
};

const round3 = (n: number | null) => (n === null ? null : Math.round(Number(n) * 1000) / 1000);

/**
 * Measured order-to-receipt times. An observation is at the site of the purchase order it was
 * measured on: a site-limited caller sees (and is summarised) only their sites' observations, and
 * one without an order only an all-sites caller sees. The engine still learns from all of them.
 */
export async function leadTimes(
  deps: AppDeps,
  auth: AuthContext,
  f: { supplierId?: string; itemId?: string },
  limit: number,
  afterId?: number,
) {
  const conds = [sql`true`];
  if (f.supplierId) conds.push(sql`o.supplier_id = ${f.supplierId}`);
  if (f.itemId) conds.push(sql`o.item_id = ${f.itemId}`);
  if (auth.siteIds !== null)
    conds.push(
      sql`o.purchase_order_id in (select id from purchase_orders where site_id = any(${sql.param([...auth.siteIds])}::uuid[]))`,
    );
  const where = sql.join(conds, sql` and `);
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const summary = await tx.execute<SummaryRow>(sql`
      select count(*)::int as n, avg(o.lead_time_days)::float8 as mean, stddev_samp(o.lead_time_days)::float8 as sd,
             min(o.lead_time_days)::float8 as min, max(o.lead_time_days)::float8 as max,
             ((array_agg(o.lead_time_days order by o.received_at desc, o.id desc))[1])::float8 as last,
             max(o.received_at) as last_received_at
        from lead_time_observations o where ${where}`);
    const rows = await tx.execute<ObservationRow>(sql`
      select o.id, o.supplier_id, o.item_id, o.purchase_order_id, po.number as purchase_order_number, o.ordered_at, o.received_at,
             o.lead_time_days::float8 as lead_time_days, o.source
        from lead_time_observations o left join purchase_orders po on po.id = o.purchase_order_id
       where ${where} ${afterId !== undefined ? sql`and o.id < ${afterId}` : sql``}
       order by o.id desc limit ${limit + 1}`);
    const s = summary.rows[0]!;
    return {
      summary: {
        n: Number(s.n),
        meanDays: round3(s.mean),
        sdDays: round3(s.sd),
        minDays: round3(s.min),
        maxDays: round3(s.max),
        lastDays: round3(s.last),
        lastReceivedAt: s.last_received_at ? isoRequired(s.last_received_at) : null,
      },
      rows: rows.rows,
    };
  });
}

export function observationView(r: ObservationRow) {
  return {
    id: Number(r.id),
    supplierId: r.supplier_id,
    itemId: r.item_id,
    purchaseOrderId: r.purchase_order_id,
    purchaseOrderNumber: r.purchase_order_number,
    orderedAt: isoRequired(r.ordered_at),
    receivedAt: isoRequired(r.received_at),
    leadTimeDays: Number(r.lead_time_days),
    source: r.source,
  };
}

type TransitRow = {
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  site_id: string;
  location_id: string;
  ordered: number;
  received: number;
  in_transit: number;
  purchase_orders: number;
  next_expected_at: string | null;
};

/** Ordered minus received per item and location over open orders (approved, sent, partially received). */
export async function inTransit(
  deps: AppDeps,
  auth: AuthContext,
  f: { itemId?: string; locationId?: string; siteId?: string },
  limit: number,
  after?: (string | number)[],
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds = [sql`po.status = any(${sql.param([...OPEN_STATUSES])}::text[])`];
  if (f.itemId) conds.push(sql`l.item_id = ${f.itemId}`);
  if (f.locationId) conds.push(sql`po.location_id = ${f.locationId}`);
  if (f.siteId) conds.push(sql`po.site_id = ${f.siteId}`);
  if (auth.siteIds !== null) conds.push(sql`po.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  if (after)
    conds.push(sql`(l.item_id, po.location_id) > (${String(after[0])}::uuid, ${String(after[1])}::uuid)`);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<TransitRow>(sql`
      select l.item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit, po.site_id, po.location_id,
             sum(l.quantity_ordered)::float8 as ordered, sum(l.quantity_received)::float8 as received,
             sum(greatest(l.quantity_ordered - l.quantity_received, 0))::float8 as in_transit,
             count(distinct po.id)::int as purchase_orders,
             to_char(min(po.expected_at) filter (where l.quantity_received < l.quantity_ordered), 'YYYY-MM-DD') as next_expected_at
        from purchase_order_lines l
        join purchase_orders po on po.id = l.purchase_order_id
        join items i on i.id = l.item_id
       where ${sql.join(conds, sql` and `)}
       group by l.item_id, i.code, i.name_zh, i.name_en, i.base_unit, po.site_id, po.location_id
      having sum(greatest(l.quantity_ordered - l.quantity_received, 0)) > 0
       order by l.item_id, po.location_id limit ${limit + 1}`),
  );
  return r.rows;
}

export function inTransitView(r: TransitRow) {
  return {
    itemId: r.item_id,
    itemCode: r.item_code,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    baseUnit: r.base_unit,
    siteId: r.site_id,
    locationId: r.location_id,
    ordered: Number(r.ordered),
    received: Number(r.received),
    inTransit: Number(r.in_transit),
    purchaseOrders: Number(r.purchase_orders),
    nextExpectedAt: r.next_expected_at,
  };
}
