import { sql } from 'drizzle-orm';
import { type EmittedEvent, emitEvent } from '../events/emit-event.ts';
import type { Tx } from '../pool.ts';

/**
 * An alert's lifecycle in one place, for the engine (worker) and for people (API): which states
 * are live, what a person may do to a live alert, and the payload every alert event carries, so a
 * webhook receiver sees the same shape whoever changed the alert.
 *
 *   opened ──▶ open ⇄ acknowledged / snoozed ──▶ resolved (the engine: the condition cleared)
 *                 └───────────────┴──────────▶ dismissed (a person: a false alarm)
 */
export const LIVE_ALERT_STATUSES = ['open', 'acknowledged', 'snoozed'] as const;
export type AlertStatus = (typeof LIVE_ALERT_STATUSES)[number] | 'resolved' | 'dismissed';

/** What the payload of `alert.opened` / `alert.updated` says about the alert. */
export interface AlertEventFacts {
  alertId: string;
  type: string;
  itemId: string;
  itemCode: string;
  locationId: string;
  severity: string;
  explanation: unknown;
  action: unknown;
  status?: AlertStatus;
}

/** The payload of `alert.opened` and `alert.updated`, from the engine or from a person's action. */
export function alertEventPayload(a: AlertEventFacts, change?: PersonChange): Record<string, unknown> {
  return {
    alertId: a.alertId,
    type: a.type,
    itemId: a.itemId,
    itemCode: a.itemCode,
    locationId: a.locationId,
    severity: a.severity,
    explanation: a.explanation,
    action: a.action,
    ...(a.status ? { status: a.status } : {}),
    ...(change ?? {}),
  };
}

/** The payload of `alert.resolved`. */
export function alertResolvedPayload(a: { id: string; type: string; item_id: string; location_id: string }) {
  return { alertId: a.id, type: a.type, itemId: a.item_id, locationId: a.location_id };
}

/** What a person may do to a live alert. */
export type AlertAction =
  | { kind: 'acknowledge' }
  | { kind: 'dismiss'; reason: string }
  | { kind: 'snooze'; until: string };

/** Who did what, added to the payload of an `alert.updated` a person caused. */
interface PersonChange {
  change: 'acknowledged' | 'dismissed' | 'snoozed';
  actedBy: string | null;
  dismissedReason?: string;
  snoozedUntil?: string;
}

const FEED_KIND = { acknowledge: 'acknowledged', dismiss: 'dismissed', snooze: 'snoozed' } as const;

/** An action the alert's state does not allow; the API says it as a problem (409). */
export class AlertTransitionError extends Error {
  constructor(
    readonly code: 'invalid_transition' | 'snooze_in_past',
    readonly status: string,
  ) {
    super(
      code === 'snooze_in_past'
        ? 'Snooze until a time in the future.'
        : `The alert is ${status}; only open, acknowledged or snoozed alerts can change.`,
    );
    this.name = 'AlertTransitionError';
  }
}

/** An alert locked for an action (FOR UPDATE), with what its event payload needs. */
export type LockedAlert = {
  id: string;
  status: AlertStatus;
  site_id: string;
  type: string;
  item_id: string;
  item_code: string;
  location_id: string;
  severity: string;
  explanation: unknown;
  action: unknown;
};

/** Locks one alert for an action; null when there is none. The caller checks who may see it. */
export async function lockAlert(tx: Tx, id: string): Promise<LockedAlert | null> {
  const r = await tx.execute<LockedAlert>(sql`
    select a.id, a.status, a.site_id, a.type, a.item_id, i.code as item_code, a.location_id, a.severity,
           a.explanation, a.action
      from alerts a join items i on i.id = a.item_id
     where a.id = ${id} for update of a`);
  return r.rows[0] ?? null;
}

/**
 * Acknowledges, dismisses (a false alarm: suppressed until the condition clears) or snoozes a
 * live alert in the caller's transaction: the row, its feed entry and one `alert.updated` event,
 * committed together. Returns the event (its deliveries to enqueue after commit).
 */
export async function actOnAlert(
  tx: Tx,
  alert: LockedAlert,
  action: AlertAction,
  actor: string | null,
  now = new Date(),
): Promise<EmittedEvent> {
  if (!(LIVE_ALERT_STATUSES as readonly string[]).includes(alert.status))
    throw new AlertTransitionError('invalid_transition', alert.status);
  let status: AlertStatus;
  const change: PersonChange = { change: FEED_KIND[action.kind], actedBy: actor };
  if (action.kind === 'acknowledge') {
    status = 'acknowledged';
    await tx.execute(sql`
      update alerts set status = 'acknowledged', acknowledged_at = now(), acted_by = ${actor}, updated_at = now()
       where id = ${alert.id}`);
  } else if (action.kind === 'dismiss') {
    status = 'dismissed';
    change.dismissedReason = action.reason;
    await tx.execute(sql`
      update alerts set status = 'dismissed', dismissed_at = now(), dismissed_reason = ${action.reason}, suppressed = true,
             acted_by = ${actor}, updated_at = now()
       where id = ${alert.id}`);
  } else {
    if (Date.parse(action.until) <= now.getTime())
      throw new AlertTransitionError('snooze_in_past', alert.status);
    status = 'snoozed';
    change.snoozedUntil = new Date(action.until).toISOString();
    await tx.execute(sql`
      update alerts set status = 'snoozed', snoozed_until = ${action.until}::timestamptz, acted_by = ${actor}, updated_at = now()
       where id = ${alert.id}`);
  }
  await tx.execute(
    sql`insert into alert_feed (alert_id, kind, actor_id) values (${alert.id}, ${FEED_KIND[action.kind]}, ${actor})`,
  );
  return emitEvent(
    tx,
    'alert.updated',
    alertEventPayload(
      {
        alertId: alert.id,
        type: alert.type,
        itemId: alert.item_id,
        itemCode: alert.item_code,
        locationId: alert.location_id,
        severity: alert.severity,
        explanation: alert.explanation,
        action: alert.action,
        status,
      },
      change,
    ),
  );
}
