import {
  type AlertEventFacts,
  type AlertStatus,
  alertEventPayload,
  alertResolvedPayload,
  type EventType,
  emitEvents,
  type Tx,
} from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { ItemLocationResult } from './compute/compute-batch.ts';

type LiveAlert = {
  id: string;
  type: string;
  item_id: string;
  location_id: string;
  status: AlertStatus;
  severity: string;
  snoozed_until: Date | null;
  action_text: string | null;
  content_hash: string | null;
  suppressed: boolean;
};

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

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
 * Writes the computed policies and brings the alerts in line with the candidates: opens new
 * ones, updates live ones whose content changed, resolves the ones whose condition cleared — each
 * a single statement for the whole batch. Safe to run twice with the same input (the unique index
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

  // Alerts: the live and the dismissed-and-suppressed of the batch, in one read.
  const itemIds = current.map((r) => r.computed.state.item.id);
  const locIds = current.map((r) => r.computed.state.location.id);
  const live = await tx.execute<LiveAlert>(sql`
    select a.id, a.type, a.item_id, a.location_id, a.status, a.severity, a.snoozed_until, a.action->'text'->>'en' as action_text,
           a.content_hash, a.suppressed
      from alerts a join unnest(${sql.param(itemIds)}::uuid[], ${sql.param(locIds)}::uuid[]) p(item_id, location_id) using (item_id, location_id)
     where a.status in ('open', 'acknowledged', 'snoozed') or (a.status = 'dismissed' and a.suppressed)
     for update of a`);
  const key = (t: string, i: string, l: string) => `${t}|${i}|${l}`;
  const liveRows = live.rows.filter((a) => a.status !== 'dismissed');
  const liveBy = new Map(liveRows.map((a) => [key(a.type, a.item_id, a.location_id), a]));
  const suppressedSet = new Set(
    live.rows.filter((a) => a.status === 'dismissed').map((a) => key(a.type, a.item_id, a.location_id)),
  );
  const stillFiring = new Set<string>();
  const toOpen: Array<Record<string, unknown>> = [];
  const openPayloads = new Map<string, Omit<AlertEventFacts, 'alertId'>>();
  const toUpdate: Array<Record<string, unknown>> = [];
  const events: Array<{ type: EventType; payload: Record<string, unknown> }> = [];
  const feed: Array<{ alert_id: string; kind: string }> = [];
  const now = new Date();
  let updated = 0;

  for (const { computed, alerts, alertHashes } of current) {
    const s = computed.state;
    for (const [n, c] of alerts.entries()) {
      const k = key(c.type, s.item.id, s.location.id);
      stillFiring.add(k);
      if (suppressedSet.has(k)) continue;
      const existing = liveBy.get(k);
      const contentHash = alertHashes[n]!;
      const facts = {
        type: c.type,
        itemId: s.item.id,
        itemCode: s.item.code,
        locationId: s.location.id,
        severity: c.severity,
        explanation: c.explanation,
        action: c.action,
      };
      const row = {
        type: c.type,
        item_id: s.item.id,
        location_id: s.location.id,
        severity: c.severity,
        score: c.score,
        rule_version: c.explanation.ruleVersion,
        explanation: c.explanation,
        action: c.action ?? null,
        content_hash: contentHash,
      };
      if (!existing) {
        toOpen.push(row);
        openPayloads.set(k, facts);
        continue;
      }
      // Back to open (and to the top of the list): a snooze that ran out, or an alert in progress
      // (acknowledged or snoozed) that became more severe (issue 11: it must not stay out of sight).
      const escalated =
        existing.status !== 'open' &&
        SEVERITY_ORDER.indexOf(c.severity) < SEVERITY_ORDER.indexOf(existing.severity);
      const wake =
        escalated ||
        (existing.status === 'snoozed' &&
          existing.snoozed_until !== null &&
          new Date(existing.snoozed_until) <= now);
      const changed =
        existing.severity !== c.severity || existing.action_text !== (c.action?.text.en ?? null);
      // Nothing new to say: the row is left alone (issue 10 — no rewrite of every live alert).
      if (!wake && existing.content_hash === contentHash) continue;
      toUpdate.push({ ...row, id: existing.id, wake, changed });
      if (changed || wake) {
        feed.push({ alert_id: existing.id, kind: wake ? 'reopened' : 'updated' });
        const status = wake ? 'open' : existing.status;
        events.push({
          type: 'alert.updated',
          payload: alertEventPayload({ alertId: existing.id, ...facts, status }),
        });
        updated++;
      }
    }
  }

  let opened = 0;
  if (toOpen.length) {
    const ins = await tx.execute<{ id: string; type: string; item_id: string; location_id: string }>(sql`
      insert into alerts (type, item_id, location_id, site_id, severity, score, rule_version, explanation, action, content_hash)
      select x.type, x.item_id, x.location_id, l.site_id, x.severity, x.score, x.rule_version, x.explanation, x.action, x.content_hash
        from jsonb_to_recordset(${JSON.stringify(toOpen)}::jsonb) as x(type text, item_id uuid, location_id uuid,
             severity text, score numeric, rule_version integer, explanation jsonb, action jsonb, content_hash text)
        join locations l on l.id = x.location_id
      on conflict do nothing returning id, type, item_id, location_id`);
    for (const r of ins.rows) {
      const facts = openPayloads.get(key(r.type, r.item_id, r.location_id))!;
      feed.push({ alert_id: r.id, kind: 'opened' });
      events.push({
        type: 'alert.opened',
        payload: alertEventPayload({ alertId: r.id, ...facts, status: 'open' }),
      });
      opened++;
    }
  }
  if (toUpdate.length)
    await tx.execute(sql`
      update alerts a set severity = x.severity, score = x.score, rule_version = x.rule_version, explanation = x.explanation,
             action = x.action, content_hash = x.content_hash,
             status = case when x.wake then 'open' else a.status end,
             snoozed_until = case when x.wake then null else a.snoozed_until end,
             updated_at = case when x.changed or x.wake then now() else a.updated_at end
        from jsonb_to_recordset(${JSON.stringify(toUpdate)}::jsonb) as x(id uuid, severity text, score numeric, rule_version integer,
             explanation jsonb, action jsonb, content_hash text, wake boolean, changed boolean)
       where a.id = x.id`);

  const toResolve = liveRows.filter((a) => !stillFiring.has(key(a.type, a.item_id, a.location_id)));
  if (toResolve.length) {
    await tx.execute(sql`
      update alerts set status = 'resolved', resolved_at = now(), updated_at = now()
       where id = any(${sql.param(toResolve.map((a) => a.id))}::uuid[])`);
    for (const a of toResolve) {
      feed.push({ alert_id: a.id, kind: 'resolved' });
      events.push({ type: 'alert.resolved', payload: alertResolvedPayload(a) });
    }
  }
  // A condition that cleared lifts the suppression left by an earlier dismissal.
  const cleared = live.rows.filter(
    (a) => a.status === 'dismissed' && !stillFiring.has(key(a.type, a.item_id, a.location_id)),
  );
  if (cleared.length)
    await tx.execute(
      sql`update alerts set suppressed = false where id = any(${sql.param(cleared.map((a) => a.id))}::uuid[])`,
    );
  if (feed.length)
    await tx.execute(sql`
      insert into alert_feed (alert_id, kind)
      select alert_id, kind from jsonb_to_recordset(${JSON.stringify(feed)}::jsonb) as x(alert_id uuid, kind text)`);
  const emitted = await emitEvents(tx, events);
  return {
    deliveryIds: emitted.deliveryIds,
    opened,
    resolved: toResolve.length,
    updated,
    written: current.length,
  };
}
