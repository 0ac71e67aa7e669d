import type { BacktestOrder, BacktestSeriesInput, LeadTimeRecord, LeadTimeTerms } from '@medstock/core';
import { templatePrior } from '@medstock/core/forecast/outlook.ts';
import { balanceSeries, type Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';

export interface BacktestKey {
  itemId: string;
  locationId: string;
}

export interface BacktestInput extends BacktestKey {
  ved: 'V' | 'E' | 'D';
  series: BacktestSeriesInput;
}

const DAY = 86_400_000;
const dayNo = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY);
const isoOf = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
const keyOf = (item: string, loc: string) => `${item}|${loc}`;

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/**
 * Item-locations a backtest of [from, to] can replay: any with a movement before the end of the
 * last outcome window (the whole ledger, history and counts included).
 */
export async function backtestKeys(tx: Tx, end: string): Promise<BacktestKey[]> {
  const r = await tx.execute<{ item_id: string; location_id: string }>(sql`
    select distinct item_id, location_id from movements where occurred_at < ${end}::date + 1 order by item_id, location_id`);
  return r.rows.map((x) => ({ itemId: x.item_id, locationId: x.location_id }));
}

/**
 * What the backtest may know about each item-location, day by day in the organisation's local
 * days, from `start` (or the first movement, if later) to `end` inclusive. Each as-of date then
 * sees only the days before it: balances from the whole ledger (a stocktake count sets on-hand at
 * its date), lead times observed with their receipt dates, the supplier terms with the date they
 * took effect, and purchase orders with their order and receipt dates. One query per kind of
 * data for the whole batch.
 *
 * Balances follow the ledger's rule (balanceSeries in db): known from a location's first movement
 * when that is a receipt or a count, otherwise only from its first count — an issue history with
 * no count says nothing about stock, so its positions are null (unknown), never 0. A stock report's
 * stock-out days are marked at the end of its period, besides the days the balance was at zero.
 */
export async function loadBacktestInputs(
  tx: Tx,
  keys: readonly BacktestKey[],
  range: { start: string; end: string; timeZone: string },
): Promise<BacktestInput[]> {
  if (keys.length === 0) return [];
  const { start, end, timeZone } = range;
  const itemIds = [...new Set(keys.map((k) => k.itemId))];
  const pairs = sql`(select * from unnest(${sql.param(keys.map((k) => k.itemId))}::uuid[], ${sql.param(keys.map((k) => k.locationId))}::uuid[]) as p(item_id, location_id))`;
  const localDay = (column: string) =>
    sql`to_char((${sql.raw(column)} at time zone ${timeZone})::date, 'YYYY-MM-DD')`;

  const codes = await tx.execute<{
    item_id: string;
    location_id: string;
    item_code: string;
    ved: 'V' | 'E' | 'D';
    site_code: string;
    location_code: string;
    typical_monthly_usage: number | null;
  }>(sql`
    select p.item_id, p.location_id, i.code as item_code, i.ved, s.code as site_code, l.code as location_code,
           i.typical_monthly_usage::float8 as typical_monthly_usage
      from ${pairs} p join items i on i.id = p.item_id join locations l on l.id = p.location_id join sites s on s.id = l.site_id`);

  // Per local day up to the end: demand (issues and transfers out), the net change, the day's
  // first row type and whether it has a count. Days before `start` come back too: they carry the
  // opening balance and may make it known.
  const days = await tx.execute<{
    item_id: string;
    location_id: string;
    d: string;
    demand: number;
    net: number;
    first_type: string;
    has_count: boolean;
  }>(sql`
    select m.item_id, m.location_id, ${localDay('m.occurred_at')} as d,
           (-coalesce(sum(m.quantity) filter (where m.type in ('issue', 'transfer_out')), 0))::float8 as demand,
           coalesce(sum(m.quantity), 0)::float8 as net,
           (array_agg(m.type order by m.occurred_at, m.id))[1] as first_type,
           bool_or(m.type = 'stocktake') as has_count
      from movements m join ${pairs} p using (item_id, location_id)
     where m.occurred_at < (${end}::date + 1)::timestamp at time zone ${timeZone}
     group by 1, 2, 3
     order by 1, 2, 3`);

  // Stock-out days a periodic report recorded (the last days of its period: where stock runs out).
  const reported = await tx.execute<{
    item_id: string;
    location_id: string;
    period_end: string;
    days: number;
  }>(sql`
    select r.item_id, r.location_id, to_char(r.period_end, 'YYYY-MM-DD') as period_end, r.stockout_days as days
      from stock_reports r join ${pairs} p using (item_id, location_id)
     where r.stockout_days > 0 and r.period_end >= ${start}::date and r.period_start <= ${end}::date`);

  const observations = await tx.execute<{
    item_id: string;
    supplier_id: string;
    ordered: string;
    received: string;
    days: number;
  }>(sql`
    select item_id, supplier_id, ${localDay('ordered_at')} as ordered, ${localDay('received_at')} as received,
           lead_time_days::float8 as days
      from lead_time_observations where item_id = any(${sql.param(itemIds)}::uuid[]) order by received_at`);

  // The supplier whose terms apply: the preferred one, else the cheapest (as the engine picks).
  const terms = await tx.execute<{ item_id: string; valid_from: string | null; days: number }>(sql`
    with chosen as (
      select distinct on (isup.item_id) isup.item_id, isup.supplier_id
        from item_suppliers isup join suppliers s on s.id = isup.supplier_id
       where isup.item_id = any(${sql.param(itemIds)}::uuid[])
       order by isup.item_id, isup.preferred desc, isup.pack_price)
    select h.item_id, case when h.valid_from = '-infinity' then null else ${localDay('h.valid_from')} end as valid_from,
           h.nominal_lead_time_days::float8 as days
      from lead_time_terms_history h join chosen c using (item_id, supplier_id)
     order by h.item_id, h.valid_from, h.id`);

  const orders = await tx.execute<{
    item_id: string;
    location_id: string;
    ordered: string;
    expected: string | null;
    received: string | null;
    qty: number;
  }>(sql`
    select l.item_id, po.location_id, ${localDay('coalesce(po.sent_at, po.approved_at, po.created_at)')} as ordered,
           to_char(po.expected_at, 'YYYY-MM-DD') as expected,
           case when po.received_at is null then null else ${localDay('po.received_at')} end as received,
           l.quantity_ordered::float8 as qty
      from purchase_order_lines l join purchase_orders po on po.id = l.purchase_order_id
      join ${pairs} p on p.item_id = l.item_id and p.location_id = po.location_id
     where po.status not in ('draft', 'cancelled')`);

  const codesBy = new Map(codes.rows.map((r) => [keyOf(r.item_id, r.location_id), r]));
  const daysBy = groupBy(days.rows, (r) => keyOf(r.item_id, r.location_id));
  const reportedBy = groupBy(reported.rows, (r) => keyOf(r.item_id, r.location_id));
  const obsBy = groupBy(observations.rows, (r) => r.item_id);
  const termsBy = groupBy(terms.rows, (r) => r.item_id);
  const ordersBy = groupBy(orders.rows, (r) => keyOf(r.item_id, r.location_id));
  const startNo = dayNo(start);
  const endNo = dayNo(end);

  const out: BacktestInput[] = [];
  for (const k of keys) {
    const key = keyOf(k.itemId, k.locationId);
    const c = codesBy.get(key);
    const rows = daysBy.get(key);
    if (!c || !rows?.length) continue;
    const s0 = Math.max(startNo, dayNo(rows[0]!.d));
    if (s0 > endNo) continue;
    const n = endNo - s0 + 1;
    const labels = Array.from({ length: n }, (_, i) => isoOf(s0 + i));
    // The ledger's rule for known balances (db): known from a first receipt or count, else from the first count.
    const balance = balanceSeries(
      rows.map((r) => ({ day: r.d, net: Number(r.net), firstType: r.first_type, hasCount: r.has_count })),
      labels,
    );
    const demand: number[] = Array(n).fill(0);
    for (const r of rows) {
      const i = dayNo(r.d) - s0;
      if (i >= 0 && i < n) demand[i] = Number(r.demand);
    }
    const stockoutDays = balance.map((b) => b !== null && b <= 0);
    for (const r of reportedBy.get(key) ?? []) {
      const last = dayNo(r.period_end) - s0;
      for (let i = Math.max(0, last - r.days + 1); i <= Math.min(last, n - 1); i++) stockoutDays[i] = true;
    }
    const leadTimes: LeadTimeRecord[] = (obsBy.get(k.itemId) ?? []).map((o) => ({
      orderDate: o.ordered,
      receiptDate: o.received,
      days: Number(o.days),
    }));
    // The first terms recorded for the pair stand for the time before them too (nothing older is
    // known, e.g. a clinic that entered its suppliers after importing its history); every later
    // change counts only from the day it was made.
    const itemTerms: LeadTimeTerms[] = (termsBy.get(k.itemId) ?? []).map((t, i) => ({
      from: i === 0 || t.valid_from === null ? isoOf(s0) : t.valid_from,
      nominalDays: Number(t.days),
    }));
    const itemOrders: BacktestOrder[] = (ordersBy.get(key) ?? []).map((o) => ({
      orderDate: o.ordered,
      qty: Number(o.qty),
      ...(o.expected ? { expectedDate: o.expected } : {}),
      receivedDate: o.received,
    }));
    out.push({
      itemId: k.itemId,
      locationId: k.locationId,
      ved: c.ved,
      series: {
        itemCode: c.item_code,
        siteCode: c.site_code,
        locationCode: c.location_code,
        startDate: isoOf(s0),
        demand,
        balance,
        stockoutDays,
        leadTimes,
        terms: itemTerms,
        orders: itemOrders,
        // The catalogue template's typical usage is a prior the clinic had from the start; the
        // pooled prior from the item's other locations is set per as-of date (withPooledPriors).
        prior: c.typical_monthly_usage === null ? null : templatePrior(Number(c.typical_monthly_usage)),
      },
    });
  }
  return out;
}
