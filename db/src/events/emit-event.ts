import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';
import { executePrepared } from '../prepared-statement.ts';

export type EventType =
  | 'movement.created'
  | 'purchase_order.status_changed'
  | 'purchase_order.cancelled'
  | 'import.finished'
  | 'alert.opened'
  | 'alert.updated'
  | 'alert.resolved'
  | 'requisition.submitted'
  | 'requisition.approved'
  | 'requisition.rejected'
  | 'requisition.issued'
  | 'recall.opened'
  | 'recall.released'
  | 'stocktake.approved'
  | 'stocktake.posted'
  | 'inspection.released'
  | 'inspection.rejected'
  | 'site.updated'
  | 'location.updated'
  | 'item.gtin_linked';

export const EVENT_TYPES: EventType[] = [
  'movement.created',
  'purchase_order.status_changed',
  'purchase_order.cancelled',
  'import.finished',
  'alert.opened',
  'alert.updated',
  'alert.resolved',
  'requisition.submitted',
  'requisition.approved',
  'requisition.rejected',
  'requisition.issued',
  'recall.opened',
  'recall.released',
  'stocktake.approved',
  'stocktake.posted',
  'inspection.released',
  'inspection.rejected',
  'site.updated',
  'location.updated',
  'item.gtin_linked',
];

export interface EmittedEvent {
  eventId: string;
  deliveryIds: string[];
}

/**
 * Writes an event in the caller's transaction (outbox) and one pending delivery per active
 * webhook endpoint that subscribes to it. The change and its event commit or vanish together;
 * the worker sends the deliveries after commit.
 */
export async function emitEvent(
  tx: Tx,
  type: EventType,
  payload: Record<string, unknown>,
): Promise<EmittedEvent> {
  // One statement (a movement POST pays for every round trip): the event, then its deliveries.
  const r = await executePrepared<{ event_id: string; delivery_ids: string[] }>(
    tx,
    sql`
    with ev as (insert into events (type, payload) values (${type}, ${JSON.stringify(payload)}::jsonb) returning id),
    d as (
      insert into webhook_deliveries (endpoint_id, event_id)
      select w.id, ev.id from webhook_endpoints w, ev where w.active and ${type} = any(w.events)
      returning id)
    select ev.id as event_id, (select coalesce(json_agg(d.id), '[]'::json) from d) as delivery_ids from ev`,
  );
  return { eventId: r.rows[0]!.event_id, deliveryIds: r.rows[0]!.delivery_ids };
}

/**
 * Many events in two statements (the engine opens, updates and resolves alerts a batch at a time):
 * the events in one insert, then the deliveries of all of them to every subscribed endpoint.
 * Returns the event ids and all the deliveries written.
 */
export async function emitEvents(
  tx: Tx,
  events: ReadonlyArray<{ type: EventType; payload: Record<string, unknown> }>,
): Promise<{ eventIds: string[]; deliveryIds: string[] }> {
  if (events.length === 0) return { eventIds: [], deliveryIds: [] };
  const ev = await tx.execute<{ id: string }>(sql`
    insert into events (type, payload)
    select x.type, x.payload from jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as x(type text, payload jsonb)
    returning id`);
  const eventIds = ev.rows.map((r) => r.id);
  const deliveries = await tx.execute<{ id: string }>(sql`
    insert into webhook_deliveries (endpoint_id, event_id)
    select w.id, e.id from events e join webhook_endpoints w on w.active and e.type = any(w.events)
     where e.id = any(${sql.param(eventIds)}::uuid[])
    returning id`);
  return { eventIds, deliveryIds: deliveries.rows.map((r) => r.id) };
}
