import type { Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';

export interface ItemLocationKey {
  itemId: string;
  locationId: string;
}

/** Every item-location the engine watches: anything stocked, moved in two years, or with a par level. */
export async function allItemLocations(tx: Tx, after?: ItemLocationKey): Promise<ItemLocationKey[]> {
  const r = await tx.execute<{ item_id: string; location_id: string }>(sql`
    select item_id, location_id from (
      select item_id, location_id from stock
      union select item_id, location_id from par_levels
      union select distinct item_id, location_id from movements where occurred_at >= now() - interval '730 days'
    ) x
    ${after ? sql`where (item_id, location_id) > (${after.itemId}::uuid, ${after.locationId}::uuid)` : sql``}
    order by item_id, location_id`);
  return r.rows.map((x) => ({ itemId: x.item_id, locationId: x.location_id }));
}

/**
 * The item-locations whose inputs changed since their policy was computed, in key order:
 * - marked in the recalculation outbox (movements, counts, receipts, orders, schedules, par levels,
 *   and through triggers item, supplier-term, lead-time, lot-expiry and kit changes — migration 0018);
 * - computed for an earlier local day (horizons, lot expiry and days since the last issue moved:
 *   the first cycle of a day recalculates everything once, which is also the periodic refit);
 * - computed under another rule-set version, or before the newest stock-out calibration;
 * - watched (stocked or with a par level) but never computed.
 * The rest are skipped, so a quiet organisation's cycle is these few probes. What other items do
 * (a substitute's stock, a transfer source's surplus at another site) reaches a policy at its next
 * recalculation, at the latest the next day's.
 */
export async function changedItemLocations(
  tx: Tx,
  today: string,
  ruleVersion: number,
): Promise<ItemLocationKey[]> {
  const r = await tx.execute<{ item_id: string; location_id: string }>(sql`
    with cal as (select max(created_at) as at from stockout_calibrations),
    stale as (
      select p.item_id, p.location_id from item_location_policies p, cal
       where p.inputs_day is distinct from ${today}::date or p.rule_version is distinct from ${ruleVersion}::integer
          or (cal.at is not null and p.inputs_at < cal.at)
      union
      select w.item_id, w.location_id
        from (select item_id, location_id from stock where on_hand > 0 union select item_id, location_id from par_levels) w
       where not exists (select 1 from item_location_policies p where p.item_id = w.item_id and p.location_id = w.location_id)
      union
      select item_id, location_id from recalculation_outbox where due_at <= now()
    )
    select item_id, location_id from stale order by item_id, location_id`);
  return r.rows.map((x) => ({ itemId: x.item_id, locationId: x.location_id }));
}
