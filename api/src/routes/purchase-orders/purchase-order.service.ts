import { emitEvent, requestRecalculation, type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { conflict, notFound, ProblemError } from '../../lib/problem.ts';
import { iso, isoRequired } from '../../lib/schemas.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import {
  type ItemQuantityInput,
  type ResolvedLine,
  resolveItemLines,
  unitFactorOf,
  usableLocationSite,
} from './lookups.ts';
import { type OrderPeople, orderPeople } from './purchase-order-history.ts';

export type PoStatus = 'draft' | 'approved' | 'sent' | 'partially_received' | 'received' | 'cancelled';
/** Statuses whose outstanding quantities count as in transit (the engine reads the same set). */
export const OPEN_STATUSES: readonly PoStatus[] = ['approved', 'sent', 'partially_received'];

export interface PoLineInput extends ItemQuantityInput {
  /** Price per `unit` (a box price when unit is 'box'); stored per base unit. */
  unitPrice?: number;
  /** This line's promised delivery day when it differs from the order's; null: the order's. */
  expectedAt?: string | null;
}

export interface PoInput {
  supplierId: string;
  locationId: string;
  lines: PoLineInput[];
  number?: string;
  notes?: string | null;
  expectedAt?: string | null;
  allowOverReceipt?: boolean;
}

type PoRow = {
  id: string;
  number: string;
  supplier_id: string;
  supplier_code: string;
  supplier_name: string;
  supplier_email: string | null;
  site_id: string;
  location_id: string;
  status: PoStatus;
  allow_over_receipt: boolean;
  notes: string | null;
  source: string;
  expected_at: string | null;
  created_by: string | null;
  approved_by: string | null;
  sent_by: string | null;
  cancelled_by: string | null;
  created_at: Date | string;
  approved_at: Date | string | null;
  sent_at: Date | string | null;
  received_at: Date | string | null;
  cancelled_at: Date | string | null;
  cancel_reason: string | null;
  updated_at: Date | string;
  cursor_key: string;
  line_count: number;
  ordered: number;
  received: number;
  outstanding: number;
  value: number;
};

type LineRow = {
  id: string;
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  quantity_ordered: number;
  quantity_received: number;
  unit_price: number;
  expected_at: string | null;
  base_unit_zh: string;
  base_unit_en: string;
};

const PO_SELECT = sql`
  select po.id, po.number, po.supplier_id, s.code as supplier_code, s.name as supplier_name, s.contact_email as supplier_email, po.site_id, po.location_id,
         po.status, po.allow_over_receipt, po.notes, po.source, to_char(po.expected_at, 'YYYY-MM-DD') as expected_at,
         po.created_by, po.approved_by, po.sent_by, po.cancelled_by, po.created_at, po.approved_at, po.sent_at, po.received_at, po.cancelled_at,
         po.cancel_reason, po.updated_at,
         to_char(po.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as cursor_key,
         t.line_count, t.ordered, t.received, t.outstanding, t.value
    from purchase_orders po
    join suppliers s on s.id = po.supplier_id
    cross join lateral (
      select count(*)::int as line_count,
             coalesce(sum(quantity_ordered), 0)::float8 as ordered,
             coalesce(sum(quantity_received), 0)::float8 as received,
             coalesce(sum(greatest(quantity_ordered - quantity_received, 0)), 0)::float8 as outstanding,
             coalesce(sum(quantity_ordered * unit_price), 0)::float8 as value
        from purchase_order_lines where purchase_order_id = po.id
    ) t`;

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
const isOpen = (s: PoStatus) => OPEN_STATUSES.includes(s);

export function purchaseOrderSummaryView(r: PoRow) {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    supplierId: r.supplier_id,
    supplierCode: r.supplier_code,
    supplierName: r.supplier_name,
    supplierEmail: r.supplier_email,
    siteId: r.site_id,
    locationId: r.location_id,
    allowOverReceipt: r.allow_over_receipt,
    notes: r.notes,
    source: r.source,
    expectedAt: r.expected_at,
    createdBy: r.created_by,
    approvedBy: r.approved_by,
    sentBy: r.sent_by,
    cancelledBy: r.cancelled_by,
    createdAt: isoRequired(r.created_at),
    approvedAt: iso(r.approved_at),
    sentAt: iso(r.sent_at),
    receivedAt: iso(r.received_at),
    cancelledAt: iso(r.cancelled_at),
    cancelReason: r.cancel_reason,
    updatedAt: isoRequired(r.updated_at),
    lineCount: Number(r.line_count),
    quantityOrdered: Number(r.ordered),
    quantityReceived: Number(r.received),
    inTransit: isOpen(r.status) ? Number(r.outstanding) : 0,
    value: round4(Number(r.value)),
  };
}

function lineView(status: PoStatus, l: LineRow) {
  const ordered = Number(l.quantity_ordered);
  const received = Number(l.quantity_received);
  return {
    id: l.id,
    itemId: l.item_id,
    itemCode: l.item_code,
    nameZh: l.name_zh,
    nameEn: l.name_en,
    baseUnit: l.base_unit,
    quantityOrdered: ordered,
    quantityReceived: received,
    inTransit: isOpen(status) ? Math.max(ordered - received, 0) : 0,
    unitPrice: Number(l.unit_price),
    value: round4(ordered * Number(l.unit_price)),
    expectedAt: l.expected_at,
    baseUnitName: { zh: l.base_unit_zh || l.base_unit, en: l.base_unit_en || l.base_unit },
  };
}

export type PurchaseOrderView = ReturnType<typeof purchaseOrderSummaryView> & {
  /** Users and API keys that edited the draft, first edit first. */
  editedBy: string[];
  lines: ReturnType<typeof lineView>[];
} & OrderPeople;

export async function loadPurchaseOrder(tx: Tx, id: string): Promise<PurchaseOrderView | undefined> {
  const r = await tx.execute<PoRow>(sql`${PO_SELECT} where po.id = ${id}`);
  const po = r.rows[0];
  if (!po) return undefined;
  const lines = await tx.execute<LineRow>(sql`
    select l.id, l.item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit,
           l.quantity_ordered, l.quantity_received, l.unit_price::float8 as unit_price,
           to_char(l.expected_at, 'YYYY-MM-DD') as expected_at, i.base_unit_zh, i.base_unit_en
      from purchase_order_lines l join items i on i.id = l.item_id
     where l.purchase_order_id = ${id} order by i.code, l.id`);
  const editors = await tx.execute<{ editor_id: string }>(sql`
    select editor_id from purchase_order_edits where purchase_order_id = ${id}
     group by editor_id order by min(id)`);
  return {
    ...purchaseOrderSummaryView(po),
    editedBy: editors.rows.map((e) => e.editor_id),
    lines: lines.rows.map((l) => lineView(po.status, l)),
    ...(await orderPeople(tx, po)),
  };
}

export type LockedPo = {
  id: string;
  number: string;
  status: PoStatus;
  supplier_id: string;
  site_id: string;
  location_id: string;
  created_by: string | null;
  allow_over_receipt: boolean;
  approved_at: Date | string | null;
  sent_at: Date | string | null;
};

/**
 * Locks the order row for the rest of the transaction, so two requests changing the same order
 * (two receipts, a receipt and a cancel, two approvals) run one after the other and each sees
 * the other's result. A PO outside the caller's sites is reported as not found.
 */
export async function lockPurchaseOrder(tx: Tx, auth: AuthContext, id: string): Promise<LockedPo> {
  const r = await tx.execute<LockedPo>(sql`
    select id, number, status, supplier_id, site_id, location_id, created_by, allow_over_receipt, approved_at, sent_at
      from purchase_orders where id = ${id} for update`);
  const po = r.rows[0];
  if (!po) throw notFound('The purchase order');
  assertSiteVisible(auth, po.site_id, 'The purchase order');
  return po;
}

export function invalidTransition(po: { number: string; status: PoStatus }, action: string, why?: string) {
  return new ProblemError(
    409,
    'invalid_transition',
    'Conflict',
    `Purchase order ${po.number} is ${po.status}; it cannot be ${action}${why ? ` (${why})` : ''}.`,
    undefined,
    {
      currentStatus: po.status,
      params: { number: po.number, status: po.status, action },
      messageKey: 'invalid_transition.purchase_order',
    },
  );
}

export async function emitStatusChange(
  tx: Tx,
  auth: AuthContext,
  po: { id: string; number: string; supplier_id: string; site_id: string; location_id: string },
  from: PoStatus | null,
  to: PoStatus,
) {
  return emitEvent(tx, 'purchase_order.status_changed', {
    purchaseOrderId: po.id,
    number: po.number,
    from,
    to,
    supplierId: po.supplier_id,
    siteId: po.site_id,
    locationId: po.location_id,
    actorId: auth.userId ?? auth.apiKeyId,
    changedAt: new Date().toISOString(),
  });
}

async function assertSupplier(tx: Tx, supplierId: string) {
  const r = await tx.execute<{ active: boolean }>(sql`select active from suppliers where id = ${supplierId}`);
  const s = r.rows[0];
  if (!s?.active) {
    const message = s ? 'the supplier is inactive' : 'unknown supplier';
    throw new ProblemError(
      422,
      'unknown_supplier',
      'Unprocessable content',
      `The supplier ${s ? 'is inactive' : 'does not exist'}.`,
      [{ field: 'body:/supplierId', message }],
      { messageKey: s ? 'unknown_supplier.inactive' : 'unknown_supplier' },
    );
  }
}

/**
 * Price per base unit of each line: the price given (per the unit it was given in), else the
 * supplier's terms for the item (pack price ÷ pack size), else the item's catalogue unit cost.
 */
async function pricedLines(tx: Tx, supplierId: string, lines: ResolvedLine<PoLineInput>[]) {
  const terms = await tx.execute<{ item_id: string; pack_price: string; pack_size: number }>(sql`
    select item_id, pack_price::text, pack_size from item_suppliers
     where supplier_id = ${supplierId} and item_id = any(${sql.param(lines.map((l) => l.item.id))}::uuid[])`);
  const termsBy = new Map(terms.rows.map((t) => [t.item_id, t]));
  return lines.map((l) => {
    const t = termsBy.get(l.item.id);
    const price =
      l.input.unitPrice !== undefined
        ? l.input.unitPrice / unitFactorOf(l.item, l.input.unit)
        : t && Number(t.pack_price) > 0
          ? Number(t.pack_price) / t.pack_size
          : l.item.unitCost;
    return {
      itemId: l.item.id,
      quantity: l.baseQuantity,
      unitPrice: round4(price),
      expectedAt: l.input.expectedAt ?? null,
    };
  });
}

async function insertLines(
  tx: Tx,
  poId: string,
  lines: { itemId: string; quantity: number; unitPrice: number; expectedAt: string | null }[],
) {
  await tx.execute(sql`
    insert into purchase_order_lines (purchase_order_id, item_id, quantity_ordered, unit_price, expected_at)
    select ${poId}::uuid, x.item_id, x.quantity, x.unit_price, x.expected_at
      from unnest(${sql.param(lines.map((l) => l.itemId))}::uuid[], ${sql.param(lines.map((l) => l.quantity))}::bigint[],
                  ${sql.param(lines.map((l) => l.unitPrice))}::numeric[],
                  ${sql.param(lines.map((l) => l.expectedAt))}::date[]) as x(item_id, quantity, unit_price, expected_at)`);
}

export async function createPurchaseOrder(deps: AppDeps, auth: AuthContext, input: PoInput) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const siteId = await usableLocationSite(tx, auth, input.locationId);
    await assertSupplier(tx, input.supplierId);
    const lines = await pricedLines(
      tx,
      input.supplierId,
      await resolveItemLines(tx, input.lines, 'body:/lines'),
    );
    const number =
      input.number ??
      (
        await tx.execute<{ n: string }>(
          sql`select 'PO-' || to_char(now(), 'YYYY') || '-' || lpad(nextval('purchase_order_number_seq')::text, 6, '0') as n`,
        )
      ).rows[0]!.n;
    const taken = await tx.execute(sql`select 1 from purchase_orders where number = ${number}`);
    if (taken.rowCount)
      throw conflict('number_taken', `A purchase order numbered ${number} already exists.`, { number });
    const r = await tx.execute<{ id: string }>(sql`
      insert into purchase_orders (number, supplier_id, site_id, location_id, allow_over_receipt, notes, source, expected_at, created_by)
      values (${number}, ${input.supplierId}, ${siteId}, ${input.locationId}, ${input.allowOverReceipt ?? false}, ${input.notes ?? null},
              ${auth.kind === 'api_key' ? 'integration' : 'manual'}, ${input.expectedAt ?? null}, ${auth.userId ?? auth.apiKeyId})
      returning id`);
    const id = r.rows[0]!.id;
    await insertLines(tx, id, lines);
    const event = await emitStatusChange(
      tx,
      auth,
      { id, number, supplier_id: input.supplierId, site_id: siteId, location_id: input.locationId },
      null,
      'draft',
    );
    return { po: (await loadPurchaseOrder(tx, id))!, deliveryIds: event.deliveryIds };
  });
}

export async function updatePurchaseOrder(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  patch: Partial<PoInput>,
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const po = await lockPurchaseOrder(tx, auth, id);
    if (po.status !== 'draft') {
      throw new ProblemError(
        409,
        'not_draft',
        'Conflict',
        `Purchase order ${po.number} is ${po.status}; only a draft can be edited.`,
        undefined,
        {
          currentStatus: po.status,
          params: { number: po.number, status: po.status },
        },
      );
    }
    const supplierId = patch.supplierId ?? po.supplier_id;
    const locationId = patch.locationId ?? po.location_id;
    const siteId = patch.locationId ? await usableLocationSite(tx, auth, patch.locationId) : po.site_id;
    if (patch.supplierId) await assertSupplier(tx, patch.supplierId);
    if (patch.lines) {
      const lines = await pricedLines(tx, supplierId, await resolveItemLines(tx, patch.lines, 'body:/lines'));
      await tx.execute(sql`delete from purchase_order_lines where purchase_order_id = ${id}`);
      await insertLines(tx, id, lines);
    }
    await tx.execute(sql`
      update purchase_orders set
        supplier_id = ${supplierId}, location_id = ${locationId}, site_id = ${siteId},
        notes = ${patch.notes === undefined ? sql`notes` : patch.notes},
        expected_at = ${patch.expectedAt === undefined ? sql`expected_at` : sql`${patch.expectedAt}::date`},
        allow_over_receipt = ${patch.allowOverReceipt ?? sql`allow_over_receipt`},
        updated_at = now()
      where id = ${id}`);
    await recordEdit(tx, auth, id, Object.keys(patch));
    return (await loadPurchaseOrder(tx, id))!;
  });
}

export async function getPurchaseOrder(deps: AppDeps, auth: AuthContext, id: string) {
  const po = await withTenantDb(deps.database.db, auth, (tx) => loadPurchaseOrder(tx, id));
  if (!po || (auth.siteIds !== null && !auth.siteIds.includes(po.siteId)))
    throw notFound('The purchase order');
  return po;
}

export interface PoFilter {
  status?: PoStatus;
  supplierId?: string;
  siteId?: string;
  locationId?: string;
  itemId?: string;
}

export async function listPurchaseOrders(
  deps: AppDeps,
  auth: AuthContext,
  f: PoFilter,
  limit: number,
  after?: (string | number)[],
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds = [sql`true`];
  if (f.status) conds.push(sql`po.status = ${f.status}`);
  if (f.supplierId) conds.push(sql`po.supplier_id = ${f.supplierId}`);
  if (f.siteId) conds.push(sql`po.site_id = ${f.siteId}`);
  if (f.locationId) conds.push(sql`po.location_id = ${f.locationId}`);
  if (f.itemId)
    conds.push(
      sql`exists (select 1 from purchase_order_lines x where x.purchase_order_id = po.id and x.item_id = ${f.itemId})`,
    );
  if (auth.siteIds !== null) conds.push(sql`po.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  if (after)
    conds.push(
      sql`(po.created_at, po.id) < (${String(after[0])}::timestamp at time zone 'UTC', ${String(after[1])}::uuid)`,
    );
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<PoRow>(
      sql`${PO_SELECT} where ${sql.join(conds, sql` and `)} order by po.created_at desc, po.id desc limit ${limit + 1}`,
    ),
  );
  return r.rows;
}

export type PoAction = 'approve' | 'send' | 'cancel';

const ACTIONS: Record<PoAction, { from: readonly PoStatus[]; to: PoStatus; verb: string; stamp: string }> = {
  approve: { from: ['draft'], to: 'approved', verb: 'approved', stamp: 'approved_at' },
  send: { from: ['approved'], to: 'sent', verb: 'sent', stamp: 'sent_at' },
  cancel: { from: ['draft', 'approved', 'sent'], to: 'cancelled', verb: 'cancelled', stamp: 'cancelled_at' },
};

/** The user or API key acting: the identity four eyes compares. */
const actorOf = (auth: AuthContext) => ({
  type: auth.kind,
  id: (auth.userId ?? auth.apiKeyId) as string,
});

/** An accepted PATCH makes its caller an editor of the order (same transaction as the change). */
async function recordEdit(tx: Tx, auth: AuthContext, id: string, fields: string[]) {
  const actor = actorOf(auth);
  await tx.execute(sql`
    insert into purchase_order_edits (purchase_order_id, editor_type, editor_id, fields)
    values (${id}, ${actor.type}, ${actor.id}, ${sql.param(fields.sort())}::text[])`);
}

/**
 * Who may approve: the purchaser role or anyone holding the admin scope (owner, admin, an admin
 * API key). An integration key with only 'purchasing' drafts orders but cannot approve them.
 * Four eyes, for everyone (admins and owners included): the approver neither created nor edited
 * the order. Whoever set the quantities, prices or the over-receipt rule is not the one who
 * releases the money; a one-person organisation approves through a second member.
 */
async function assertMayApprove(tx: Tx, auth: AuthContext, po: LockedPo) {
  if (!auth.scopes.has('admin') && auth.role !== 'purchaser') {
    throw new ProblemError(
      403,
      'approval_not_allowed',
      'Forbidden',
      'Approving a purchase order needs the purchaser role or the admin scope; a purchasing API key may only create drafts.',
    );
  }
  const actor = actorOf(auth);
  if (po.created_by !== null && po.created_by === actor.id) {
    throw new ProblemError(
      403,
      'self_approval',
      'Forbidden',
      'You created this purchase order; someone who neither created nor edited it must approve it.',
    );
  }
  // The row lock taken by lockPurchaseOrder orders this read after any edit in flight.
  const edited = await tx.execute(
    sql`select 1 from purchase_order_edits where purchase_order_id = ${po.id} and editor_id = ${actor.id} limit 1`,
  );
  if (edited.rowCount) {
    throw new ProblemError(
      403,
      'approver_edited',
      'Forbidden',
      'You edited this purchase order; someone who neither created nor edited it must approve it.',
    );
  }
}

export async function transitionPurchaseOrder(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  action: PoAction,
  opts: { reason?: string } = {},
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const po = await lockPurchaseOrder(tx, auth, id);
    const rule = ACTIONS[action];
    if (action === 'approve') await assertMayApprove(tx, auth, po);
    if (!rule.from.includes(po.status)) {
      throw invalidTransition(
        po,
        rule.verb,
        action === 'cancel' && po.status === 'partially_received'
          ? 'goods were already received against it'
          : undefined,
      );
    }
    const reason = opts.reason?.trim() ?? '';
    if (action === 'cancel' && !reason) {
      // The audit of a cancellation says why: a supplier asking about a vanished order gets an answer.
      throw new ProblemError(
        422,
        'cancel_reason_required',
        'Unprocessable',
        `Say why purchase order ${po.number} is cancelled.`,
        [{ field: 'body:/reason', message: 'required', code: 'required' }],
        { params: { number: po.number } },
      );
    }
    if (action === 'cancel') {
      // Status already excludes partial receipts; the line check guards rows written by imports.
      const received = await tx.execute(
        sql`select 1 from purchase_order_lines where purchase_order_id = ${id} and quantity_received > 0 limit 1`,
      );
      if (received.rowCount) throw invalidTransition(po, rule.verb, 'goods were already received against it');
    }
    await tx.execute(sql`
      update purchase_orders set status = ${rule.to}, ${sql.identifier(rule.stamp)} = now(), updated_at = now()
        ${action === 'approve' ? sql`, approved_by = ${auth.userId ?? auth.apiKeyId}` : sql``}
        ${action === 'send' ? sql`, sent_by = ${auth.userId ?? auth.apiKeyId}` : sql``}
        ${action === 'cancel' ? sql`, cancel_reason = ${reason}, cancelled_by = ${auth.userId ?? auth.apiKeyId}` : sql``}
       where id = ${id}`);
    const event = await emitStatusChange(tx, auth, po, po.status, rule.to);
    if (action === 'cancel') {
      // A dedicated event with the reason, for integrations that only care about cancellations.
      const cancelled = await emitEvent(tx, 'purchase_order.cancelled', {
        purchaseOrderId: po.id,
        number: po.number,
        from: po.status,
        reason,
        supplierId: po.supplier_id,
        siteId: po.site_id,
        locationId: po.location_id,
        actorId: auth.userId ?? auth.apiKeyId,
        cancelledAt: new Date().toISOString(),
      });
      event.deliveryIds.push(...cancelled.deliveryIds);
    }
    const view = (await loadPurchaseOrder(tx, id))!;
    const touched = view.lines.map((l) => ({ itemId: l.itemId, locationId: view.locationId }));
    // Approval and cancellation change what is in transit: recalculate with this commit (outbox).
    if (action !== 'send') await requestRecalculation(tx, touched);
    return { po: view, deliveryIds: event.deliveryIds, touched };
  });
}
