import type { AlertCandidate, ComputedPolicy } from '@medstock/core';
import { emitEvent, type Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';

type LiveAlert = {
  id: string;
  type: string;
  item_id: string;
  location_id: string;
  status: string;
  severity: string;
  snoozed_until: Date | null;
  action_text: string | null;
};

/**
 * Writes the computed policies and brings the alerts in line with the candidates: opens new
 * ones, updates live ones, resolves the ones whose condition cleared. Safe to run twice with the
 * same input (the unique index on live alerts makes a duplicate impossible), which is what lets
 * an interrupted run simply be repeated. Returns the webhook deliveries to enqueue.
 */
export async function applyResults(
  tx: Tx,
  runId: string | null,
  results: Array<{ computed: ComputedPolicy; alerts: AlertCandidate[] }>,
) {
  if (results.length === 0) return { deliveryIds: [] as string[], opened: 0, resolved: 0, updated: 0 };
  const itemIds = results.map((r) => r.computed.state.item.id);
  const locIds = results.map((r) => r.computed.state.location.id);

  // One statement for the whole batch: the policies travel as one JSON array.
  const policyRows = results.map(({ computed }) => {
    const s = computed.state;
    return {
      item_id: s.item.id,
      location_id: s.location.id,
      demand_class: s.demand.demandClass,
      model: s.demand.model,
      model_score: computed.modelScore,
      // The model is chosen afresh on the series' own past at every computation (issue 9).
      model_selected: true,
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
    };
  });
  await tx.execute(sql`
    insert into item_location_policies (item_id, location_id, computed_at, run_id, demand_class, model, model_score, model_chosen_at, daily_mean, daily_sd,
      lead_time_mean, lead_time_sd, lead_time_source, service_level, safety_stock, reorder_point, order_up_to, eoq, on_hand, in_transit,
      position, days_cover, stockout_probability, stockout_probability_horizon, horizon_days, forecast_grain, forecast_family,
      probability_calibrated, expiry_risk_qty, expiry_risk_value, forecast, state)
    select item_id, location_id, now(), ${runId}::uuid, demand_class, model, model_score, case when model_selected then now() end, daily_mean, daily_sd, lead_time_mean, lead_time_sd,
           lead_time_source, service_level, safety_stock, reorder_point, order_up_to, eoq, on_hand, in_transit, position, days_cover,
           stockout_probability, stockout_probability_horizon, horizon_days, forecast_grain, forecast_family,
           probability_calibrated, expiry_risk_qty, expiry_risk_value, forecast, state
      from jsonb_to_recordset(${JSON.stringify(policyRows)}::jsonb) as x(item_id uuid, location_id uuid, demand_class text, model text,
           model_score numeric, model_selected boolean, daily_mean numeric, daily_sd numeric, lead_time_mean numeric, lead_time_sd numeric, lead_time_source text,
           service_level numeric, safety_stock numeric, reorder_point numeric, order_up_to numeric, eoq numeric, on_hand bigint,
           in_transit bigint, position bigint, days_cover numeric, stockout_probability numeric,
           stockout_probability_horizon numeric, horizon_days integer, forecast_grain text, forecast_family text,
           probability_calibrated boolean, expiry_risk_qty bigint,
           expiry_risk_value numeric, forecast jsonb, state jsonb)
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
      expiry_risk_value = excluded.expiry_risk_value, forecast = excluded.forecast, state = excluded.state`);

  const live = await tx.execute<LiveAlert>(sql`
    select a.id, a.type, a.item_id, a.location_id, a.status, a.severity, a.snoozed_until, a.action->'text'->>'en' as action_text
      from alerts a join unnest(${sql.param(itemIds)}::uuid[], ${sql.param(locIds)}::uuid[]) p(item_id, location_id) using (item_id, location_id)
     where a.status in ('open', 'acknowledged', 'snoozed')
     for update of a`);
  const suppressed = await tx.execute<{ type: string; item_id: string; location_id: string }>(sql`
    select distinct a.type, a.item_id, a.location_id
      from alerts a join unnest(${sql.param(itemIds)}::uuid[], ${sql.param(locIds)}::uuid[]) p(item_id, location_id) using (item_id, location_id)
     where a.status = 'dismissed' and a.suppressed`);
  const key = (t: string, i: string, l: string) => `${t}|${i}|${l}`;
  const liveBy = new Map(live.rows.map((a) => [key(a.type, a.item_id, a.location_id), a]));
  const suppressedSet = new Set(suppressed.rows.map((a) => key(a.type, a.item_id, a.location_id)));
  const deliveryIds: string[] = [];
  const stillFiring = new Set<string>();
  let opened = 0;
  let updated = 0;
  let resolved = 0;

  for (const { computed, alerts } of results) {
    const s = computed.state;
    for (const c of alerts) {
      const k = key(c.type, s.item.id, s.location.id);
      stillFiring.add(k);
      if (suppressedSet.has(k)) continue;
      const existing = liveBy.get(k);
      const payload = {
        type: c.type,
        itemId: s.item.id,
        itemCode: s.item.code,
        locationId: s.location.id,
        severity: c.severity,
        explanation: c.explanation,
        action: c.action,
      };
      if (!existing) {
        const ins = await tx.execute<{ id: string }>(sql`
          insert into alerts (type, item_id, location_id, site_id, severity, score, rule_version, explanation, action)
          select ${c.type}, ${s.item.id}, ${s.location.id}, l.site_id, ${c.severity}, ${c.score}, ${c.explanation.ruleVersion},
                 ${JSON.stringify(c.explanation)}::jsonb, ${c.action ? JSON.stringify(c.action) : null}::jsonb
            from locations l where l.id = ${s.location.id}
          on conflict do nothing returning id`);
        const id = ins.rows[0]?.id;
        if (!id) continue;
        await tx.execute(sql`insert into alert_feed (alert_id, kind) values (${id}, 'opened')`);
        deliveryIds.push(...(await emitEvent(tx, 'alert.opened', { alertId: id, ...payload })).deliveryIds);
        opened++;
        continue;
      }
      const wake =
        existing.status === 'snoozed' &&
        existing.snoozed_until !== null &&
        new Date(existing.snoozed_until) <= new Date();
      const changed =
        existing.severity !== c.severity || existing.action_text !== (c.action?.text.en ?? null);
      await tx.execute(sql`
        update alerts set severity = ${c.severity}, score = ${c.score}, rule_version = ${c.explanation.ruleVersion},
               explanation = ${JSON.stringify(c.explanation)}::jsonb, action = ${c.action ? JSON.stringify(c.action) : null}::jsonb,
               status = ${wake ? 'open' : existing.status}, snoozed_until = ${wake ? null : existing.snoozed_until},
               updated_at = case when ${changed || wake} then now() else updated_at end
         where id = ${existing.id}`);
      if (changed || wake) {
        await tx.execute(
          sql`insert into alert_feed (alert_id, kind) values (${existing.id}, ${wake ? 'reopened' : 'updated'})`,
        );
        deliveryIds.push(
          ...(await emitEvent(tx, 'alert.updated', { alertId: existing.id, ...payload })).deliveryIds,
        );
        updated++;
      }
    }
  }

  for (const a of live.rows) {
    if (stillFiring.has(key(a.type, a.item_id, a.location_id))) continue;
    await tx.execute(
      sql`update alerts set status = 'resolved', resolved_at = now(), updated_at = now() where id = ${a.id}`,
    );
    await tx.execute(sql`insert into alert_feed (alert_id, kind) values (${a.id}, 'resolved')`);
    deliveryIds.push(
      ...(
        await emitEvent(tx, 'alert.resolved', {
          alertId: a.id,
          type: a.type,
          itemId: a.item_id,
          locationId: a.location_id,
        })
      ).deliveryIds,
    );
    resolved++;
  }
  // A condition that cleared lifts the suppression left by an earlier dismissal.
  const cleared = [...suppressedSet].filter((k) => !stillFiring.has(k));
  for (const k of cleared) {
    const [type, item, loc] = k.split('|');
    await tx.execute(
      sql`update alerts set suppressed = false where status = 'dismissed' and type = ${type!} and item_id = ${item!} and location_id = ${loc!}`,
    );
  }
  return { deliveryIds, opened, resolved, updated };
}
