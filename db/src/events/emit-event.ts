import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';

export type EventType =
  | 'movement.created'
  | 'purchase_order.status_changed'
  | 'import.finished'
  | 'alert.opened'
  | 'alert.updated'
  | 'alert.resolved';

export const EVENT_TYPES: EventType[] = [
  'movement.created',
  'purchase_order.status_changed',
  'import.finished',
  'alert.opened',
  'alert.updated',
  'alert.resolved',
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
  const ev = await tx.execute<{ id: string }>(
    sql`insert into events (type, payload) values (${type}, ${JSON.stringify(payload)}::jsonb) returning id`,
  );
  const eventId = ev.rows[0]!.id;
  const deliveries = await tx.execute<{ id: string }>(
    sql`insert into webhook_deliveries (endpoint_id, event_id)
        select id, ${eventId}::uuid from webhook_endpoints where active and ${type} = any(events)
        returning id`,
  );
  return { eventId, deliveryIds: deliveries.rows.map((r) => r.id) };
}
