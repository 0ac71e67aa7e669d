import { type AlertCandidate, SEVERITIES, type Severity } from '@medstock/core';
import { sql } from 'drizzle-orm';
import { type EventType, emitEvents } from '../events/emit-event.ts';
import type { Tx } from '../pool.ts';
import {
  type AlertEventFacts,
  type AlertStatus,
  alertEventPayload,
  alertResolvedPayload,
  LIVE_ALERT_STATUSES,
} from './alert-lifecycle.ts';

/** What the engine concluded for one item-location: the alerts that fire now, each with its content hash. */
export interface EngineAlertsOf {
  item: { id: string; code: string };
  locationId: string;
  candidates: readonly AlertCandidate[];
  /** One per candidate: unchanged content leaves the live alert's row alone. */
  hashes: readonly string[];
}

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

/**
 * The engine's half of the alert lifecycle (the person's half is actOnAlert): brings the alerts of
 * a batch of item-locations in line with what fires now. Opens new ones, updates live ones whose
 * content changed, reopens a snooze that ran out or an alert in progress that became more severe,
 * resolves the ones whose condition cleared, and lifts a dismissal's suppression once its
 * condition has cleared — each a single statement for the whole batch, with the feed entries and
 * the `alert.opened|updated|resolved` events in the caller's transaction. Safe to run twice with
 * the same input: the unique index on live alerts makes a duplicate impossible.
 */
export async function reconcileEngineAlerts(
  tx: Tx,
  batch: readonly EngineAlertsOf[],
): Promise<{ deliveryIds: string[]; opened: number; resolved: number; updated: number }> {
  // The live and the dismissed-and-suppressed alerts of the batch, in one read.
  const itemIds = batch.map((b) => b.item.id);
  const locIds = batch.map((b) => b.locationId);
  const live = await tx.execute<LiveAlert>(sql`
    select a.id, a.type, a.item_id, a.location_id, a.status, a.severity, a.snoozed_until, a.action->'text'->>'en' as action_text,
           a.content_hash, a.suppressed
      from alerts a join unnest(${sql.param(itemIds)}::uuid[], ${sql.param(locIds)}::uuid[]) p(item_id, location_id) using (item_id, location_id)
     where a.status = any(${sql.param([...LIVE_ALERT_STATUSES])}::text[]) or (a.status = 'dismissed' and a.suppressed)
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

  for (const { item, locationId, candidates, hashes } of batch) {
    for (const [n, c] of candidates.entries()) {
      const k = key(c.type, item.id, locationId);
      stillFiring.add(k);
      if (suppressedSet.has(k)) continue;
      const existing = liveBy.get(k);
      const contentHash = hashes[n]!;
      const facts = {
        type: c.type,
        itemId: item.id,
        itemCode: item.code,
        locationId,
        severity: c.severity,
        explanation: c.explanation,
        action: c.action,
      };
      const row = {
        type: c.type,
        item_id: item.id,
        location_id: locationId,
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
        SEVERITIES.indexOf(c.severity) < SEVERITIES.indexOf(existing.severity as Severity);
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
  return { deliveryIds: emitted.deliveryIds, opened, resolved: toResolve.length, updated };
}
