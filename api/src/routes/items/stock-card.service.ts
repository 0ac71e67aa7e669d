import { addDays } from '@medstock/core';
import { organizationTimeZone, organizationToday, type Tx, withTenantDb } from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { loadItemRow } from './item.queries.ts';

/**
 * The item stock card (台账): what one item holds, lot by lot and location by location, every
 * movement with who booked it and the balance after it, and on-hand day by day. Always within
 * the caller's sites; `siteId` / `locationId` narrow it further.
 */
export interface StockCardScope {
  siteId?: string;
  locationId?: string;
}

function scopeConditions(auth: AuthContext, itemId: string, f: StockCardScope, alias: 's' | 'm'): SQL[] {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds: SQL[] = [alias === 's' ? sql`s.item_id = ${itemId}` : sql`m.item_id = ${itemId}`];
  if (f.siteId) conds.push(sql`l.site_id = ${f.siteId}`);
  if (f.locationId) conds.push(sql`l.id = ${f.locationId}`);
  if (auth.siteIds !== null) conds.push(sql`l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  return conds;
}

type LotRow = {
  location_id: string;
  location_name: string;
  location_active: boolean;
  site_id: string;
  site_name: string;
  lot_number: string;
  expiry_date: string | null;
  on_hand: string;
};

async function dailyOnHand(tx: Tx, where: SQL, days: number) {
  const zone = await organizationTimeZone(tx);
  const today = await organizationToday(tx);
  const r = await tx.execute<{ day: string; on_hand: string }>(sql`
    with daily as (
      select (m.occurred_at at time zone ${zone})::date as day, sum(m.quantity) as q
        from movements m join locations l on l.id = m.location_id
       where ${where}
       group by 1)
    select to_char(day, 'YYYY-MM-DD') as day, (sum(q) over (order by day))::text as on_hand
      from daily order by day`);
  const from = addDays(today, -days);
  const all = r.rows.map((x) => ({ day: x.day, onHand: Number(x.on_hand) }));
  if (all.length === 0) return [];
  // The balance the window opens with, then each day that changed it, then today's: a chart
  // drawn from these steps is on-hand at every day of the window.
  const before = all.filter((p) => p.day < from).at(-1);
  const inside = all.filter((p) => p.day >= from && p.day <= today);
  // Before its first movement the scope held nothing: a chart of a new item starts at 0.
  const opening = before ? before.onHand : 0;
  const points = [...(inside[0]?.day === from ? [] : [{ day: from, onHand: opening }]), ...inside];
  const last = points.at(-1) ?? all.at(-1)!;
  if (last.day !== today) points.push({ day: today, onHand: last.onHand });
  return points;
}

export async function stockCard(
  deps: AppDeps,
  auth: AuthContext,
  itemId: string,
  f: StockCardScope,
  days: number,
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const item = await loadItemRow(tx, itemId);
    const lots = await tx.execute<LotRow>(sql`
      select s.location_id, l.name as location_name, l.active as location_active, l.site_id, si.name as site_name,
             lo.lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date, s.on_hand::text
        from stock s join locations l on l.id = s.location_id join sites si on si.id = l.site_id
        join lots lo on lo.id = s.lot_id
       where ${sql.join(scopeConditions(auth, itemId, f, 's'), sql` and `)} and s.on_hand <> 0
       order by si.name, l.name, lo.expiry_date nulls last, lo.lot_number`);
    const history = await dailyOnHand(tx, sql.join(scopeConditions(auth, itemId, f, 'm'), sql` and `), days);
    const lotViews = lots.rows.map((r) => ({
      locationId: r.location_id,
      locationName: r.location_name,
      locationActive: r.location_active,
      siteId: r.site_id,
      siteName: r.site_name,
      lotNumber: r.lot_number === '' ? null : r.lot_number,
      expiryDate: r.expiry_date,
      onHand: Number(r.on_hand),
    }));
    return {
      itemId: item.id,
      itemCode: item.code,
      nameZh: item.name_zh,
      nameEn: item.name_en,
      baseUnit: { code: item.base_unit, zh: item.base_unit_zh, en: item.base_unit_en },
      onHand: lotViews.reduce((a, l) => a + l.onHand, 0),
      lots: lotViews,
      history,
    };
  });
}

export type CardMovementRow = {
  id: string;
  group_id: string;
  type: string;
  location_id: string;
  location_name: string;
  site_id: string;
  site_name: string;
  lot_number: string | null;
  expiry_date: string | null;
  quantity: string;
  balance: string;
  counted: string | null;
  reason: string | null;
  reference: string | null;
  source: string;
  occurred_at: Date | string;
  /** occurred_at at microsecond precision (UTC), for the cursor. */
  occurred_key: string;
  recorded_at: Date | string;
  actor_id: string | null;
  actor_name: string | null;
};

/**
 * The card's movements, newest first (by when they happened), each with the balance of the
 * card's scope after it and the person or API key that booked it.
 */
export async function stockCardMovements(
  deps: AppDeps,
  auth: AuthContext,
  itemId: string,
  f: StockCardScope,
  limit: number,
  after?: [string, number],
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    await loadItemRow(tx, itemId);
    const where = sql.join(scopeConditions(auth, itemId, f, 'm'), sql` and `);
    const r = await tx.execute<CardMovementRow>(sql`
      with card as (
        select m.*, l.name as location_name, l.site_id, sum(m.quantity) over (order by m.occurred_at, m.id) as balance
          from movements m join locations l on l.id = m.location_id
         where ${where})
      select c.id::text, c.group_id, c.type, c.location_id, c.location_name, c.site_id, si.name as site_name,
             nullif(lo.lot_number, '') as lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date,
             c.quantity::text, c.balance::text, c.counted::text, c.reason, c.reference, c.source,
             c.occurred_at, c.recorded_at, c.actor_id,
             to_char(c.occurred_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as occurred_key,
             coalesce(nullif(u.name, ''), u.email, k.name) as actor_name
        from card c join sites si on si.id = c.site_id
        left join lots lo on lo.id = c.lot_id
        left join control.users u on u.id = c.actor_id
        left join control.api_keys k on k.id = c.actor_id and k.organization_id = ${auth.organizationId}
       ${after ? sql`where (c.occurred_at, c.id) < ((${after[0]}::timestamp at time zone 'UTC'), ${after[1]}::bigint)` : sql``}
       order by c.occurred_at desc, c.id desc
       limit ${limit + 1}`);
    return r.rows;
  });
}
