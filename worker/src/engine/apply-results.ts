import { reconcileEngineAlerts, type Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { ItemLocationResult } from './compute/compute-batch.ts';

/** What the computed values were computed from (issue 10's incremental cycle reads these back). */
export interface InputsStamp {
  /**
   * When the inputs were read: a policy computed from fresher inputs is never overwritten. Null:
   * read in the writing transaction itself, whose now() is that time.
   */
  inputsAt: string | null;
  /** The organisation's local day the inputs were read for. */
  inputsDay: string;
  ruleVersion: number;
}

/**
 * Writes the computed policies and brings the alerts in line with the candidates (the engine's
 * half of the alert lifecycle, reconcileEngineAlerts in db/src/alerts) — each a single statement
 * for the whole batch. Safe to run twice with the same input (the unique index
 * on live alerts makes a duplicate impossible), which is what lets an interrupted run simply be
 * repeated. A result computed from older inputs than the stored policy's is dropped whole (its
 * alerts too): a concurrent recalculation already wrote fresher ones. Returns the webhook
 * deliveries to enqueue.
 */
export async function applyResults(
  tx: Tx,
  runId: string | null,
  results: ItemLocationResult[],
  stamp: InputsStamp,
) {
  const none = { deliveryIds: [] as string[], opened: 0, resolved: 0, updated: 0, written: 0 };
  if (results.length === 0) return none;
  const pairKey = (i: string, l: string) => `${i}|${l}`;
  const inputsAt = sql`coalesce(${stamp.inputsAt}::timestamptz, now())`;

  const stored = await tx.execute<{
    item_id: string;
    location_id: string;
    state_hash: string | null;
    fresher: boolean;
  }>(sql`
    select p.item_id, p.location_id, p.state_hash, coalesce(p.inputs_at > ${inputsAt}, false) as fresher
      from item_location_policies p
      join unnest(${sql.param(results.map((r) => r.computed.state.item.id))}::uuid[], ${sql.param(results.map((r) => r.computed.state.location.id))}::uuid[]) u(item_id, location_id)
           using (item_id, location_id)`);
  const storedBy = new Map(stored.rows.map((r) => [pairKey(r.item_id, r.location_id), r]));
  const current = results.filter(
    (r) => !storedBy.get(pairKey(r.computed.state.item.id, r.computed.state.location.id))?.fresher,
  );
  if (current.length === 0) return none;

  // Policies: full rows only where the computed state changed; the rest only have their
  // bookkeeping (what they were computed from, and when) brought forward.
  const full: Array<Record<string, unknown>> = [];
  const same: Array<{ item_id: string; location_id: string; reselected: boolean }> = [];
  for (const { computed, stateHash } of current) {
    const s = computed.state;
    if (storedBy.get(pairKey(s.item.id, s.location.id))?.state_hash === stateHash) {
      same.push({ item_id: s.item.id, location_id: s.location.id, reselected: computed.reselected });
      continue;
    }
    full.push({
      item_id: s.item.id,
      location_id: s.location.id,
      demand_class: s.demand.demandClass,
      model: s.demand.model,
      model_score: computed.modelScore,
      // Selected by rolling origin in this computation, or the stored choice refitted (issue 10).
      model_selected: computed.reselected,
      daily_mean: s.demand.dailyMean,
      daily_sd: s.demand.dailySd,
      lead_time_mean: s.leadTime.meanDays,
      lead_time_sd: s.leadTime.sdDays,
      lead_time_source: s.leadTime.source,
      service_level: s.serviceLevel,
      safety_stock: s.safetyStock.value,
      reorder_point: s.reorderPoint.value,
      order_up_to: s.orderUpTo,
      eoq: computed.eoq,
      on_hand: s.onHand,
      in_transit: s.inTransit,
      position: s.position,
      days_cover: s.daysCover.value,
      stockout_probability: s.stockoutProbability.value,
      stockout_probability_horizon: s.stockoutWithinHorizon.value,
      horizon_days: s.stockoutWithinHorizon.horizonDays,
      forecast_grain: computed.grain,
      forecast_family: computed.family,
      probability_calibrated: s.stockoutProbability.calibrated || s.stockoutWithinHorizon.calibrated,
      expiry_risk_qty: s.expiryRisk.reduce((a, l) => a + l.atRiskQty, 0),
      expiry_risk_value: s.expiryRisk.reduce((a, l) => a + l.atRiskValue, 0),
      forecast: computed.forecast.slice(0, 90),
      state: s,
      state_hash: stateHash,
    });
  }
  const stampSql = sql`${inputsAt}, ${stamp.inputsDay}::date, ${stamp.ruleVersion}::integer`;
  if (full.length)
    await tx.execute(sql`
    insert into item_location_policies (item_id, location_id, computed_at, run_id, demand_class, model, model_score, model_chosen_at, daily_mean, daily_sd,
      lead_time_mean, lead_time_sd, lead_time_source, service_level, safety_stock, reorder_point, order_up_to, eoq, on_hand, in_transit,
      position, days_cover, stockout_probability, stockout_probability_horizon, horizon_days, forecast_grain, forecast_family,
      probability_calibrated, expiry_risk_qty, expiry_risk_value, forecast, state, state_hash, inputs_at, inputs_day, rule_version)
    select item_id, location_id, now(), ${runId}::uuid, demand_class, model, model_score, case when model_selected then now() end, daily_mean, daily_sd, lead_time_mean, lead_time_sd,
           lead_time_source, service_level, safety_stock, reorder_point, order_up_to, eoq, on_hand, in_transit, position, days_cover,
           stockout_probability, stockout_probability_horizon, horizon_days, forecast_grain, forecast_family,
           probability_calibrated, expiry_risk_qty, expiry_risk_value, forecast, state, state_hash, ${stampSql}
      from jsonb_to_recordset(${JSON.stringify(full)}::jsonb) as x(item_id uuid, location_id uuid, demand_class text, model text,
           model_score numeric, model_selected boolean, daily_mean numeric, daily_sd numeric, lead_time_mean numeric, lead_time_sd numeric, lead_time_source text,
           service_level numeric, safety_stock numeric, reorder_point numeric, order_up_to numeric, eoq numeric, on_hand bigint,
           in_transit bigint, position bigint, days_cover numeric, stockout_probability numeric,
           stockout_probability_horizon numeric, horizon_days integer, forecast_grain text, forecast_family text,
           probability_calibrated boolean, expiry_risk_qty bigint,
           expiry_risk_value numeric, forecast jsonb, state jsonb, state_hash text)
    on conflict (item_id, location_id) do update set computed_at = excluded.computed_at, run_id = excluded.run_id,
      demand_class = excluded.demand_class, model = excluded.model, model_score = excluded.model_score,
      model_chosen_at = coalesce(excluded.model_chosen_at, item_location_policies.model_chosen_at), daily_mean = excluded.daily_mean,
      daily_sd = excluded.daily_sd, lead_time_mean = excluded.lead_time_mean, lead_time_sd = excluded.lead_time_sd,
      lead_time_source = excluded.lead_time_source, service_level = excluded.service_level, safety_stock = excluded.safety_stock,
      reorder_point = excluded.reorder_point, order_up_to = excluded.order_up_to, eoq = excluded.eoq, on_hand = excluded.on_hand,
      in_transit = excluded.in_transit, position = excluded.position, days_cover = excluded.days_cover,
      stockout_probability = excluded.stockout_probability,
      stockout_probability_horizon = excluded.stockout_probability_horizon, horizon_days = excluded.horizon_days,
      forecast_grain = excluded.forecast_grain, forecast_family = excluded.forecast_family,
      probability_calibrated = excluded.probability_calibrated, expiry_risk_qty = excluded.expiry_risk_qty,
      expiry_risk_value = excluded.expiry_risk_value, forecast = excluded.forecast, state = excluded.state,
      state_hash = excluded.state_hash, inputs_at = excluded.inputs_at, inputs_day = excluded.inputs_day,
      rule_version = excluded.rule_version`);
  if (same.length)
    await tx.execute(sql`
    update item_location_policies p set computed_at = now(), run_id = ${runId}::uuid, inputs_at = ${inputsAt},
           inputs_day = ${stamp.inputsDay}::date, rule_version = ${stamp.ruleVersion}::integer,
           model_chosen_at = case when u.reselected then now() else p.model_chosen_at end
      from unnest(${sql.param(same.map((r) => r.item_id))}::uuid[], ${sql.param(same.map((r) => r.location_id))}::uuid[],
                  ${sql.param(same.map((r) => r.reselected))}::boolean[]) u(item_id, location_id, reselected)
     where p.item_id = u.item_id and p.location_id = u.location_id`);

  const alerts = await reconcileEngineAlerts(
    tx,
    current.map(({ computed, alerts, alertHashes }) => ({
      item: computed.state.item,
      locationId: computed.state.location.id,
      candidates: alerts,
      hashes: alertHashes,
    })),
  );
  return { ...alerts, written: current.length };
}
