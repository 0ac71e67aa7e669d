import { organizationToday, withTenantDb } from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { rulesIn } from '../alert-rules/alert-rules.service.ts';
import { afterMovement } from '../movements/after-movement.ts';
import { recordMovement } from '../movements/movement.service.ts';
import { assertSiteExists, SHORTAGE_ALERTS } from './purchase-suggestions.service.ts';

/** Stock expiring within this many days at the source is not offered (it is not surplus, it is a write-off risk there). */
export const TRANSFER_EXPIRY_GUARD_DAYS = 30;

const SHORTAGE = sql.raw(`(${SHORTAGE_ALERTS.map((t) => `'${t}'`).join(', ')})`);
const LIVE = sql.raw(`('open', 'acknowledged', 'snoozed')`);
const r2 = (x: number) => Math.round(x * 100) / 100;
const pct = (p: number) => `${r2(p * 100)}%`;

type SourceRow = {
  item_id: string;
  location_id: string;
  location_name: string;
  site_id: string;
  site_name: string;
  on_hand: number;
  usable: number;
  max_qty: number;
  stockout_probability: number | null;
};

type NeedRow = {
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  location_id: string;
  location_name: string;
  site_id: string;
  site_name: string;
  position: number;
  reorder_point: number;
  order_up_to: number;
  stockout_probability: number;
  alert_types: string[];
};

export interface TransferSuggestion {
  itemId: string;
  itemCode: string;
  itemNameZh: string;
  itemNameEn: string;
  baseUnit: string;
  quantity: number;
  from: {
    locationId: string;
    locationName: string;
    siteId: string;
    siteName: string;
    onHand: number;
    parMax: number;
    surplus: number;
    stockoutProbability: number | null;
  };
  to: {
    locationId: string;
    locationName: string;
    siteId: string;
    siteName: string;
    position: number;
    reorderPoint: number;
    orderUpTo: number;
    need: number;
    stockoutProbability: number;
    alertTypes: string[];
  };
  reason: { zh: string; en: string };
}

/**
 * Transfers between sites of a chain. A source holds stock above its par maximum (counting only
 * lots that do not expire within 30 days there), is not at risk itself (its stockout probability
 * is within its VED limit, its position is above its reorder point, and no shortage alert is
 * live), and lends only its surplus = usable on-hand − par max. A destination at another site is
 * at risk: a live shortage alert or position ≤ reorder point; it needs order-up-to − position.
 * Per item, the most endangered destinations are served first from the largest surpluses:
 * quantity = min(surplus left, need left). Both sites must be visible to the caller.
 */
export async function transferSuggestions(
  deps: AppDeps,
  auth: AuthContext,
  f: { siteId?: string; itemId?: string },
): Promise<TransferSuggestion[]> {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    if (f.siteId) await assertSiteExists(tx, auth, f.siteId);
    const { rules } = await rulesIn(tx);
    const visible: SQL =
      auth.siteIds !== null ? sql`and l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])` : sql``;
    const item: SQL = f.itemId ? sql`and i.id = ${f.itemId}` : sql``;
    const today = sql`${await organizationToday(tx)}::date`;
    const sources = await tx.execute<SourceRow>(sql`
      select s.item_id, s.location_id, l.name as location_name, l.site_id, si.name as site_name,
             sum(s.on_hand)::float8 as on_hand,
             (sum(s.on_hand) filter (where lo.expiry_date is null or lo.expiry_date > ${today} + ${TRANSFER_EXPIRY_GUARD_DAYS}::int))::float8 as usable,
             pl.max_qty, p.stockout_probability::float8 as stockout_probability
        from stock s
        join lots lo on lo.id = s.lot_id
        join items i on i.id = s.item_id
        join locations l on l.id = s.location_id
        join sites si on si.id = l.site_id
        join par_levels pl on pl.location_id = s.location_id and pl.item_id = s.item_id
        left join item_location_policies p on p.item_id = s.item_id and p.location_id = s.location_id
       where pl.max_qty is not null and l.active and i.active and s.on_hand > 0 ${visible} ${item}
         and (p.item_id is null or (p.position > p.reorder_point and p.stockout_probability <= (
               case i.ved when 'V' then ${rules.stockoutRisk.maxProbability.V}::numeric when 'E' then ${rules.stockoutRisk.maxProbability.E}::numeric
                          else ${rules.stockoutRisk.maxProbability.D}::numeric end)))
         and not exists (select 1 from alerts a where a.item_id = s.item_id and a.location_id = s.location_id and a.status in ${LIVE} and a.type in ${SHORTAGE})
       group by s.item_id, s.location_id, l.name, l.site_id, si.name, pl.max_qty, p.stockout_probability
      having coalesce(sum(s.on_hand) filter (where lo.expiry_date is null or lo.expiry_date > ${today} + ${TRANSFER_EXPIRY_GUARD_DAYS}::int), 0) > pl.max_qty`);
    if (sources.rows.length === 0) return [];
    const itemIds = [...new Set(sources.rows.map((s) => s.item_id))];
    const needs = await tx.execute<NeedRow>(sql`
      select p.item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit, p.location_id, l.name as location_name, l.site_id, si.name as site_name,
             p.position, p.reorder_point::float8 as reorder_point, p.order_up_to::float8 as order_up_to, p.stockout_probability::float8 as stockout_probability,
             array(select a.type from alerts a where a.item_id = p.item_id and a.location_id = p.location_id and a.status in ${LIVE} and a.type in ${SHORTAGE} order by a.type) as alert_types
        from item_location_policies p
        join items i on i.id = p.item_id
        join locations l on l.id = p.location_id
        join sites si on si.id = l.site_id
       where p.item_id = any(${sql.param(itemIds)}::uuid[]) and l.active ${visible}
         and (p.position <= p.reorder_point or exists (select 1 from alerts a where a.item_id = p.item_id and a.location_id = p.location_id
                                                       and a.status in ${LIVE} and a.type in ${SHORTAGE}))`);

    const out: TransferSuggestion[] = [];
    for (const itemId of itemIds) {
      const surplus = sources.rows
        .filter((s) => s.item_id === itemId)
        .map((s) => ({ s, left: Math.floor(Number(s.usable) - Number(s.max_qty)) }))
        .sort((a, b) => b.left - a.left || a.s.location_id.localeCompare(b.s.location_id));
      const wants = needs.rows
        .filter((n) => n.item_id === itemId)
        .map((n) => ({ n, left: Math.ceil(n.order_up_to - Number(n.position)) }))
        .filter((w) => w.left > 0)
        .sort(
          (a, b) =>
            b.n.stockout_probability - a.n.stockout_probability ||
            b.left - a.left ||
            a.n.location_id.localeCompare(b.n.location_id),
        );
      for (const w of wants) {
        for (const src of surplus) {
          if (w.left <= 0) break;
          if (src.left <= 0 || src.s.site_id === w.n.site_id) continue;
          const q = Math.min(src.left, w.left);
          const surplusBefore = src.left;
          const needBefore = w.left;
          src.left -= q;
          w.left -= q;
          out.push(suggestion(w.n, src.s, q, surplusBefore, needBefore));
        }
      }
    }
    const filtered = f.siteId
      ? out.filter((s) => s.from.siteId === f.siteId || s.to.siteId === f.siteId)
      : out;
    return filtered.sort(
      (a, b) =>
        a.itemCode.localeCompare(b.itemCode) ||
        a.to.locationId.localeCompare(b.to.locationId) ||
        a.from.locationId.localeCompare(b.from.locationId),
    );
  });
}

function suggestion(
  n: NeedRow,
  s: SourceRow,
  quantity: number,
  surplus: number,
  need: number,
): TransferSuggestion {
  const u = n.base_unit;
  const risk = n.alert_types.length
    ? { zh: `预警：${n.alert_types.join('、')}`, en: `alerts: ${n.alert_types.join(', ')}` }
    : {
        zh: `可用库存 ${n.position} ≤ 再订货点 ${r2(n.reorder_point)}`,
        en: `position ${n.position} at or below the reorder point ${r2(n.reorder_point)}`,
      };
  return {
    itemId: n.item_id,
    itemCode: n.item_code,
    itemNameZh: n.name_zh,
    itemNameEn: n.name_en,
    baseUnit: u,
    quantity,
    from: {
      locationId: s.location_id,
      locationName: s.location_name,
      siteId: s.site_id,
      siteName: s.site_name,
      onHand: Number(s.on_hand),
      parMax: Number(s.max_qty),
      surplus,
      stockoutProbability: s.stockout_probability === null ? null : Number(s.stockout_probability),
    },
    to: {
      locationId: n.location_id,
      locationName: n.location_name,
      siteId: n.site_id,
      siteName: n.site_name,
      position: Number(n.position),
      reorderPoint: r2(n.reorder_point),
      orderUpTo: r2(n.order_up_to),
      need,
      stockoutProbability: Number(n.stockout_probability),
      alertTypes: n.alert_types,
    },
    reason: {
      zh: `${n.site_name}·${n.location_name}的${n.name_zh}有缺货风险（缺货概率 ${pct(n.stockout_probability)}，${risk.zh}），需补 ${need} ${u}；${s.site_name}·${s.location_name}在库 ${Number(s.on_hand)}，高于上限 ${Number(s.max_qty)}，可调出 ${surplus} ${u}（不计 ${TRANSFER_EXPIRY_GUARD_DAYS} 天内到期批次）。建议调拨 ${quantity} ${u}。`,
      en: `${n.name_en} at ${n.site_name} · ${n.location_name} is at risk (${pct(n.stockout_probability)} stockout probability, ${risk.en}) and needs ${need} ${u}; ${s.site_name} · ${s.location_name} holds ${Number(s.on_hand)}, above its maximum of ${Number(s.max_qty)}, with ${surplus} ${u} to spare (lots expiring within ${TRANSFER_EXPIRY_GUARD_DAYS} days not counted). Transfer ${quantity} ${u}.`,
    },
  };
}

/** Carries out a transfer suggestion as an ordinary transfer movement (FEFO at the source). */
export async function executeTransfer(
  deps: AppDeps,
  auth: AuthContext,
  body: {
    fromLocationId: string;
    toLocationId: string;
    itemId: string;
    quantity: number;
    reference?: string;
  },
) {
  const result = await recordMovement(deps, auth, {
    type: 'transfer',
    itemId: body.itemId,
    locationId: body.fromLocationId,
    toLocationId: body.toLocationId,
    quantity: body.quantity,
    reason: 'transfer suggestion',
    reference: body.reference,
  });
  await afterMovement(deps, auth, result);
  return result;
}
