import type { Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { isoRequired } from '../../lib/schemas.ts';

export type HistoryAction = 'created' | 'edited' | 'approved' | 'sent' | 'emailed' | 'received' | 'cancelled';

export interface HistoryEntry {
  action: HistoryAction;
  at: string;
  actorId: string | null;
  /** The person's name (or e-mail when they gave none), or the API key's name; null when unknown. */
  actorName: string | null;
  /** edited: `fields`; emailed: `recipient`, `locale`; received: `quantity`, `reference`; cancelled: `reason`. */
  detail: Record<string, unknown>;
}

export interface OrderPeople {
  createdByName: string | null;
  approvedByName: string | null;
  sentByName: string | null;
  cancelledByName: string | null;
  /** Every step of the order, oldest first: who did it and when. */
  history: HistoryEntry[];
}

/**
 * Names of users (control.users) and API keys (control.api_keys) by id. Both live in the control
 * plane; the ids come from this tenant's own rows, so nothing of another organisation is named.
 */
export async function actorNames(tx: Tx, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (wanted.length === 0) return new Map();
  const r = await tx.execute<{ id: string; name: string }>(sql`
    select id, coalesce(nullif(trim(name), ''), email) as name from control.users where id = any(${sql.param(wanted)}::uuid[])
    union all
    select id, name from control.api_keys where id = any(${sql.param(wanted)}::uuid[])`);
  return new Map(r.rows.map((x) => [x.id, x.name]));
}

/**
 * The timeline of an order, assembled from where each step is recorded: the order's own stamps
 * (created, approved, sent, cancelled and by whom), its draft edits (four eyes), its e-mails to
 * the supplier and the receipts posted against its lines (one entry per posting).
 */
export async function orderPeople(
  tx: Tx,
  po: {
    id: string;
    created_by: string | null;
    approved_by: string | null;
    sent_by: string | null;
    cancelled_by: string | null;
  },
): Promise<OrderPeople> {
  const r = await tx.execute<{
    action: HistoryAction;
    at: string;
    actor_id: string | null;
    detail: unknown;
  }>(sql`
    select * from (
    select 'created' as action, created_at as at, created_by as actor_id, jsonb_build_object('source', source) as detail
      from purchase_orders where id = ${po.id}
    union all
    select 'edited', edited_at, editor_id, jsonb_build_object('fields', fields) from purchase_order_edits where purchase_order_id = ${po.id}
    union all
    select 'approved', approved_at, approved_by, '{}'::jsonb from purchase_orders where id = ${po.id} and approved_at is not null
    union all
    select 'sent', sent_at, sent_by, '{}'::jsonb from purchase_orders where id = ${po.id} and sent_at is not null
    union all
    select 'emailed', sent_at, sent_by, jsonb_build_object('recipient', recipient, 'locale', locale)
      from purchase_order_emails where purchase_order_id = ${po.id}
    union all
    select 'received', m.recorded_at, m.actor_id, jsonb_build_object('quantity', sum(m.quantity), 'reference', min(m.reference))
      from movements m join purchase_order_lines l on l.id = m.purchase_order_line_id
     where l.purchase_order_id = ${po.id} and m.type = 'receipt'
     group by m.recorded_at, m.actor_id
    union all
    select 'cancelled', cancelled_at, cancelled_by, jsonb_build_object('reason', cancel_reason)
      from purchase_orders where id = ${po.id} and cancelled_at is not null
    ) h
    -- Steps in one transaction share a time (e-mailing an approved order also sends it): keep their logical order.
    order by at, array_position(array['created', 'edited', 'approved', 'emailed', 'sent', 'received', 'cancelled'], action)`);
  const names = await actorNames(tx, [
    po.created_by,
    po.approved_by,
    po.sent_by,
    po.cancelled_by,
    ...r.rows.map((x) => x.actor_id),
  ]);
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return {
    createdByName: nameOf(po.created_by),
    approvedByName: nameOf(po.approved_by),
    sentByName: nameOf(po.sent_by),
    cancelledByName: nameOf(po.cancelled_by),
    history: r.rows.map((x) => {
      const detail = (typeof x.detail === 'string' ? JSON.parse(x.detail) : (x.detail ?? {})) as Record<
        string,
        unknown
      >;
      if (typeof detail.quantity === 'string') detail.quantity = Number(detail.quantity);
      return {
        action: x.action,
        at: isoRequired(x.at),
        actorId: x.actor_id,
        actorName: nameOf(x.actor_id),
        detail,
      };
    }),
  };
}
