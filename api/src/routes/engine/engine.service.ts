import { withTenantDb } from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';

export type PolicyRow = {
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  location_id: string;
  location_name: string;
  site_id: string;
  computed_at: string;
  demand_class: string;
  model: string;
  model_score: string | null;
  daily_mean: string;
  daily_sd: string;
  lead_time_mean: string;
  lead_time_sd: string;
  lead_time_source: string;
  service_level: string;
  safety_stock: string;
  reorder_point: string;
  order_up_to: string;
  eoq: string | null;
  on_hand: number;
  in_transit: number;
  position: number;
  days_cover: string | null;
  stockout_probability: string | null;
  stockout_probability_horizon: string | null;
  horizon_days: number | null;
  forecast_grain: string | null;
  forecast_family: string | null;
  probability_calibrated: boolean;
  expiry_risk_qty: number;
  expiry_risk_value: string;
  state: Record<string, unknown>;
};

export interface PolicyFilter {
  itemId?: string;
  locationId?: string;
  siteId?: string;
}

/** Computed policies, by item id then location id (keyset order). */
export async function listPolicies(
  deps: AppDeps,
  auth: AuthContext,
  f: PolicyFilter,
  limit: number,
  after?: [string, string],
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds: SQL[] = [sql`true`];
  if (f.itemId) conds.push(sql`p.item_id = ${f.itemId}`);
  if (f.locationId) conds.push(sql`p.location_id = ${f.locationId}`);
  if (f.siteId) conds.push(sql`l.site_id = ${f.siteId}`);
  if (auth.siteIds !== null) conds.push(sql`l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  if (after) conds.push(sql`(p.item_id, p.location_id) > (${after[0]}::uuid, ${after[1]}::uuid)`);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<PolicyRow>(sql`
      select p.item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit, p.location_id, l.name as location_name, l.site_id,
             p.computed_at, p.demand_class, p.model, p.model_score::text, p.daily_mean::text, p.daily_sd::text, p.lead_time_mean::text,
             p.lead_time_sd::text, p.lead_time_source, p.service_level::text, p.safety_stock::text, p.reorder_point::text,
             p.order_up_to::text, p.eoq::text, p.on_hand, p.in_transit, p.position, p.days_cover::text,
             p.stockout_probability::text, p.stockout_probability_horizon::text, p.horizon_days, p.forecast_grain,
             p.forecast_family, p.probability_calibrated, p.expiry_risk_qty, p.expiry_risk_value::text, p.state
        from item_location_policies p join items i on i.id = p.item_id join locations l on l.id = p.location_id
       where ${sql.join(conds, sql` and `)}
       order by p.item_id, p.location_id limit ${limit + 1}`),
  );
  return r.rows;
}

export type RunRow = {
  id: string;
  kind: string;
  status: string;
  total: number;
  done: number;
  started_at: string;
  finished_at: string | null;
  cursor_key: string;
};

/** Recalculation runs, newest first (full runs, with their progress). */
export async function listRuns(deps: AppDeps, auth: AuthContext, limit: number, after?: [string, string]) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<RunRow>(sql`
      select id, kind, status, total, done, started_at, finished_at,
             to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as cursor_key from recalc_runs
       ${after ? sql`where (started_at, id) < (${after[0]}::timestamp at time zone 'UTC', ${after[1]}::uuid)` : sql``}
       order by started_at desc, id desc limit ${limit + 1}`),
  );
  return r.rows;
}
