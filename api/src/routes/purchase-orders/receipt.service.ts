import { emitEvent, LedgerError, type PostedMovement, postMovement, withTenantDb } from '@medstock/db';
import { holdForInspection } from '@medstock/db/ledger/inspection.ts';
import { assertReceiptLot } from '@medstock/db/ledger/receiving-checks.ts';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { type FieldError, lineLedgerProblem, ProblemError, unprocessable } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { loadItems, toBase } from './lookups.ts';
import {
  emitStatusChange,
  invalidTransition,
  loadPurchaseOrder,
  lockPurchaseOrder,
  OPEN_STATUSES,
  type PoStatus,
} from './purchase-order.service.ts';
import { resolveScannedLines } from './receipt-scan.ts';

export interface ReceiptLineInput {
  /** The order line; may be left out when `scan` names the item (its GTIN is on one line). */
  lineId?: string;
  /** Default: the scan's count (AI 30), else 1 of the scanned unit. */
  quantity?: number;
  unit?: string;
  lotNumber?: string;
  expiryDate?: string;
  /** A GS1 element string read from the box: fills the line (by GTIN), lot, expiry, quantity and unit. */
  scan?: string;
  /** Explicit, recorded overrides (with `reason`): an expired or a short-dated lot. */
  acceptExpired?: boolean;
  acceptShortDated?: boolean;
  reason?: string;
}

export interface ReceiptInput {
  lines: ReceiptLineInput[];
  receivedAt?: string;
  reference?: string;
  invoiceNumber?: string;
  deliveryNoteNumber?: string;
  /** Into quarantine until inspected (待验收). */
  inspection?: boolean;
}

const DAY_MS = 86_400_000;
/** Clock skew tolerated between a scanner or HIS clock and ours. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

type PoLine = {
  id: string;
  item_id: string;
  quantity_ordered: number;
  quantity_received: number;
  unit_price: string;
};

/**
 * Goods received against an order: one ledger receipt per entry (several entries may split one
 * line into lots), the lines' received quantities, one lead-time observation per order line
 * received, and the order's status, all in one transaction under the order's row lock.
 */
export async function receivePurchaseOrder(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  input: ReceiptInput,
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const po = await lockPurchaseOrder(tx, auth, id);
    if (!OPEN_STATUSES.includes(po.status)) {
      throw invalidTransition(po, 'received against', po.status === 'draft' ? 'approve it first' : undefined);
    }
    const now = Date.now();
    const receivedAt = input.receivedAt ? new Date(input.receivedAt) : new Date(now);
    // The order was placed when it was sent to the supplier, or approved if it was never "sent".
    const orderedAt = new Date((po.sent_at ?? po.approved_at)!);
    if (receivedAt.getTime() > now + FUTURE_TOLERANCE_MS) {
      throw unprocessable('received_in_future', 'receivedAt is in the future.', [
        { field: 'body:/receivedAt', message: 'in the future' },
      ]);
    }
    if (receivedAt < orderedAt) {
      throw unprocessable(
        'received_before_ordered',
        `receivedAt is before the order was placed (${orderedAt.toISOString()}).`,
        [{ field: 'body:/receivedAt', message: 'before the order date' }],
        { orderedAt: orderedAt.toISOString() },
      );
    }

    const lineRows = await tx.execute<PoLine>(sql`
      select id, item_id, quantity_ordered, quantity_received, unit_price::text from purchase_order_lines where purchase_order_id = ${id}`);
    const lineById = new Map(lineRows.rows.map((l) => [l.id, l]));
    const items = await loadItems(
      tx,
      lineRows.rows.map((l) => l.item_id),
    );
    const errors: FieldError[] = [];
    const entries: { i: number; line: PoLine; base: number; entry: ReceiptLineInput }[] = [];
    const incoming = new Map<string, number>();
    const scans = await resolveScannedLines(tx, lineRows.rows, input.lines, errors);
    for (const [i, given] of input.lines.entries()) {
      if (given.scan && !scans.has(i)) continue; // its scan was refused (resolveScannedLines listed why)
      const entry = scans.get(i) ?? given;
      const line = entry.lineId ? lineById.get(entry.lineId) : undefined;
      if (!line) {
        errors.push({
          field: `body:/lines/${i}/lineId`,
          message: 'not a line of this purchase order',
          code: 'unknown_line',
        });
        continue;
      }
      const base = toBase(
        items.get(line.item_id)!,
        entry.quantity ?? 1,
        entry.unit,
        `body:/lines/${i}/quantity`,
        errors,
      );
      if (base === undefined) continue;
      entries.push({ i, line, base, entry });
      incoming.set(line.id, (incoming.get(line.id) ?? 0) + base);
    }
    if (errors.length)
      throw unprocessable('invalid_lines', 'Some receipt lines are not valid; nothing was received.', errors);

    if (!po.allow_over_receipt) {
      const over = [...incoming].flatMap(([lineId, qty]) => {
        const l = lineById.get(lineId)!;
        const open = Number(l.quantity_ordered) - Number(l.quantity_received);
        if (qty <= open) return [];
        const i = entries.find((e) => e.line.id === lineId)!.i;
        return [
          {
            field: `body:/lines/${i}/quantity`,
            message: `${qty} would exceed the ${Math.max(open, 0)} still outstanding`,
            code: 'over_receipt',
            params: { quantity: qty, outstanding: Math.max(open, 0) },
          },
        ];
      });
      if (over.length) {
        throw new ProblemError(
          409,
          'over_receipt',
          'Conflict',
          'The receipt exceeds what is still outstanding on the order, which does not allow over-receipt.',
          over,
        );
      }
    }

    const actorId = auth.userId ?? auth.apiKeyId;
    const posted: PostedMovement[] = [];
    const deliveryIds: string[] = [];
    const inspectionIds: string[] = [];
    for (const e of entries) {
      const item = items.get(e.line.item_id)!;
      let rows: PostedMovement[];
      const lotNumber = e.entry.lotNumber;
      try {
        // The same receiving checks as a movement: lot and expiry of a lot-tracked item, the
        // short-dated override (the ledger refuses an expired lot unless overridden).
        await assertReceiptLot(tx, {
          itemId: item.id,
          lotNumber,
          expiryDate: e.entry.expiryDate,
          occurredAt: receivedAt,
          acceptShortDated: e.entry.acceptShortDated,
          reason: e.entry.reason,
        });
        rows = await postMovement(tx, {
          type: 'receipt',
          itemId: item.id,
          locationId: po.location_id,
          quantity: e.base,
          lotNumber,
          expiryDate: e.entry.expiryDate,
          acceptExpired: e.entry.acceptExpired,
          reason: e.entry.reason?.trim() || undefined,
          unitCost: Number(e.line.unit_price) > 0 ? Number(e.line.unit_price) : item.unitCost,
          reference: input.reference ?? po.number,
          invoiceNumber: input.invoiceNumber?.trim() || undefined,
          deliveryNoteNumber: input.deliveryNoteNumber?.trim() || undefined,
          supplierId: po.supplier_id,
          purchaseOrderId: po.id,
          source: e.entry.scan ? 'gs1' : 'purchase_order',
          purchaseOrderLineId: e.line.id,
          occurredAt: receivedAt,
          actorId,
        });
      } catch (err) {
        // Point the ledger's field at the receipt line it came from.
        if (err instanceof LedgerError && err.field) {
          throw lineLedgerProblem(err, `body:/lines/${e.i}/${err.field}`);
        }
        throw err;
      }
      posted.push(...rows);
      if (input.inspection)
        inspectionIds.push(
          ...(await holdForInspection(tx, rows, {
            supplierId: po.supplier_id,
            purchaseOrderId: po.id,
            actorId,
          })),
        );
      const ev = await emitEvent(tx, 'movement.created', {
        groupId: rows[0]!.groupId,
        type: 'receipt',
        itemId: item.id,
        siteId: po.site_id,
        toSiteId: null,
        purchaseOrderId: po.id,
        purchaseOrderLineId: e.line.id,
        movements: rows,
      });
      deliveryIds.push(...ev.deliveryIds);
    }

    const lineIds = [...incoming.keys()];
    await tx.execute(sql`
      update purchase_order_lines l set quantity_received = l.quantity_received + x.qty
        from unnest(${sql.param(lineIds)}::uuid[], ${sql.param(lineIds.map((l) => incoming.get(l)!))}::bigint[]) as x(id, qty)
       where l.id = x.id`);

    // One observation per order line and receipt: splitting a delivery into lots is still one delivery.
    const days = Math.round(((receivedAt.getTime() - orderedAt.getTime()) / DAY_MS) * 1000) / 1000;
    const lineItems = lineIds.map((l) => lineById.get(l)!.item_id);
    await tx.execute(sql`
      insert into lead_time_observations (supplier_id, item_id, purchase_order_id, ordered_at, received_at, lead_time_days, source)
      select ${po.supplier_id}::uuid, x.item_id, ${po.id}::uuid, ${orderedAt}::timestamptz, ${receivedAt}::timestamptz, ${days}, 'receipt'
        from unnest(${sql.param(lineItems)}::uuid[]) as x(item_id)`);

    const state = await tx.execute<{ complete: boolean }>(sql`
      select bool_and(quantity_received >= quantity_ordered) as complete from purchase_order_lines where purchase_order_id = ${id}`);
    const next: PoStatus = state.rows[0]!.complete ? 'received' : 'partially_received';
    if (next !== po.status) {
      await tx.execute(sql`
        update purchase_orders set status = ${next}, updated_at = now()
          ${next === 'received' ? sql`, received_at = ${receivedAt}::timestamptz` : sql``}
         where id = ${id}`);
      deliveryIds.push(...(await emitStatusChange(tx, auth, po, po.status, next)).deliveryIds);
    } else {
      await tx.execute(sql`update purchase_orders set updated_at = now() where id = ${id}`);
    }

    return {
      po: (await loadPurchaseOrder(tx, id))!,
      posted,
      leadTimeDays: days,
      deliveryIds,
      inspectionIds,
    };
  });
}
