import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';
import { LedgerError } from './ledger-error.ts';
import { type PostedMovement, postMovement, type WriteOffReason } from './post-movement.ts';

/**
 * Inspection with quarantine (入库验收): a receipt may go into quarantine — its units are on hand
 * (counted, valued) but on hold at their location (stock.quarantined), so no issue or transfer
 * takes them — until a person releases them into usable stock or rejects them (returned to the
 * supplier or written off). One inspection per received lot row.
 */
export async function holdForInspection(
  tx: Tx,
  posted: readonly PostedMovement[],
  meta: { supplierId?: string | null; purchaseOrderId?: string | null; actorId?: string | null },
): Promise<string[]> {
  const rows = posted.filter((m) => m.type === 'receipt' && m.lotId && m.quantity > 0);
  const ids: string[] = [];
  for (const m of rows) {
    await tx.execute(sql`
      update stock set quarantined = quarantined + ${m.quantity}, updated_at = now()
       where location_id = ${m.locationId} and item_id = ${m.itemId} and lot_id = ${m.lotId}`);
    const r = await tx.execute<{ id: string }>(sql`
      insert into inspections (group_id, item_id, location_id, lot_id, quantity, supplier_id, purchase_order_id, received_by, received_at)
      values (${m.groupId}, ${m.itemId}, ${m.locationId}, ${m.lotId}, ${m.quantity}, ${meta.supplierId ?? null}::uuid,
              ${meta.purchaseOrderId ?? null}::uuid, ${meta.actorId ?? null}::uuid, ${m.occurredAt}::timestamptz)
      returning id`);
    ids.push(r.rows[0]!.id);
  }
  return ids;
}

export type InspectionRow = {
  id: string;
  group_id: string;
  item_id: string;
  location_id: string;
  lot_id: string;
  lot_number: string;
  quantity: number;
  supplier_id: string | null;
  purchase_order_id: string | null;
  status: 'pending' | 'released' | 'rejected';
};

/** The inspection, locked; a decided one is refused (409 inspection_decided). */
export async function lockPendingInspection(tx: Tx, id: string): Promise<InspectionRow | null> {
  const r = await tx.execute<InspectionRow>(sql`
    select n.id, n.group_id, n.item_id, n.location_id, n.lot_id, lo.lot_number, n.quantity::int as quantity,
           n.supplier_id, n.purchase_order_id, n.status
      from inspections n join lots lo on lo.id = n.lot_id where n.id = ${id} for update of n`);
  const row = r.rows[0];
  if (!row) return null;
  if (row.status !== 'pending')
    throw new LedgerError(
      'inspection_decided',
      `This inspection was already ${row.status}.`,
      409,
      undefined,
      { status: row.status },
    );
  return row;
}

async function liftHold(tx: Tx, n: InspectionRow, qty: number) {
  await tx.execute(sql`
    update stock set quarantined = greatest(quarantined - ${qty}, 0), updated_at = now()
     where location_id = ${n.location_id} and item_id = ${n.item_id} and lot_id = ${n.lot_id}`);
}

/** Passed inspection: the units become usable stock. */
export async function releaseInspection(tx: Tx, n: InspectionRow, actorId: string | null, reason?: string) {
  await liftHold(tx, n, Number(n.quantity));
  await tx.execute(sql`
    update inspections set status = 'released', decided_by = ${actorId}::uuid, decided_at = now(),
           decision_reason = ${reason ?? null} where id = ${n.id}`);
}

/**
 * Failed inspection: the held units leave the stock — returned to the supplier (退货) or written
 * off (报损) — in one movement naming the lot, and the hold is lifted. Units a count has since
 * found missing are not there to return: what is on hand of the hold goes.
 */
export async function rejectInspection(
  tx: Tx,
  n: InspectionRow,
  d: {
    disposition: 'return' | 'write_off';
    reason: string;
    supplierId?: string | null;
    writeOffReason?: WriteOffReason;
    actorId: string | null;
  },
): Promise<PostedMovement[]> {
  const r = await tx.execute<{ held: string }>(sql`
    select least(quarantined, on_hand)::text as held from stock
     where location_id = ${n.location_id} and item_id = ${n.item_id} and lot_id = ${n.lot_id} for update`);
  const qty = Math.min(Number(n.quantity), Number(r.rows[0]?.held ?? 0));
  const supplierId = d.supplierId ?? n.supplier_id ?? undefined;
  if (d.disposition === 'return' && !supplierId)
    throw new LedgerError(
      'supplier_required',
      'A return needs the supplier the goods go back to.',
      422,
      'supplierId',
    );
  const posted =
    qty > 0
      ? await postMovement(tx, {
          type: d.disposition,
          itemId: n.item_id,
          locationId: n.location_id,
          quantity: qty,
          lotNumber: n.lot_number,
          reason: d.reason,
          reference: `inspection ${n.id}`,
          supplierId: d.disposition === 'return' ? supplierId : undefined,
          purchaseOrderId: n.purchase_order_id ?? undefined,
          writeOffReason: d.disposition === 'write_off' ? (d.writeOffReason ?? 'other') : undefined,
          source: 'inspection',
          actorId: d.actorId,
        })
      : [];
  await liftHold(tx, n, Number(n.quantity));
  await tx.execute(sql`
    update inspections set status = 'rejected', decided_by = ${d.actorId}::uuid, decided_at = now(),
           decision_reason = ${d.reason}, disposal_group_id = ${posted[0]?.groupId ?? null}::uuid where id = ${n.id}`);
  return posted;
}
