import type { Tx } from '@medstock/db';
import type { WriteOffReason } from '@medstock/db/ledger/post-movement.ts';
import { assertReceiptLot } from '@medstock/db/ledger/receiving-checks.ts';
import { sql } from 'drizzle-orm';
import { unprocessable } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';

export interface ReceivingFields {
  type: string;
  invoiceNumber?: string;
  deliveryNoteNumber?: string;
  supplierId?: string;
  purchaseOrderId?: string;
  acceptShortDated?: boolean;
  inspection?: boolean;
  writeOffReason?: WriteOffReason;
  reason?: string;
}

export interface ReceivingColumns {
  invoiceNumber?: string;
  deliveryNoteNumber?: string;
  supplierId?: string;
  purchaseOrderId?: string;
  writeOffReason?: WriteOffReason;
}

const blank = (s: string | undefined) => !s?.trim();

/** The supplier exists (422 unknown_supplier otherwise). */
export async function assertSupplier(tx: Tx, supplierId: string, field = 'body:/supplierId') {
  const r = await tx.execute(sql`select 1 from suppliers where id = ${supplierId}`);
  if (!r.rowCount)
    throw unprocessable('unknown_supplier', 'The supplier does not exist.', [
      { field, message: 'unknown supplier', code: 'unknown_supplier' },
    ]);
}

/**
 * What a movement says beyond its quantity, checked for its kind (issue 11): a return to the
 * supplier names the supplier (or the order it goes back against) and why; a write-off says why
 * (damaged, expired, lost, or other with the words — a plain `reason` alone counts as other, as
 * integrations sent it before); a receipt of a lot-tracked item gives its lot and expiry, and a
 * short-dated lot needs the explicit override. The order named must be the caller's site's.
 */
export async function checkReceivingInput(
  tx: Tx,
  auth: AuthContext,
  input: ReceivingFields,
  lot: { itemId: string; lotNumber?: string; expiryDate?: string; occurredAt?: Date },
): Promise<ReceivingColumns> {
  let supplierId = input.supplierId;
  if (input.purchaseOrderId) {
    const r = await tx.execute<{ supplier_id: string; site_id: string }>(
      sql`select supplier_id, site_id from purchase_orders where id = ${input.purchaseOrderId}`,
    );
    const po = r.rows[0];
    if (!po)
      throw unprocessable('unknown_purchase_order', 'The purchase order does not exist.', [
        { field: 'body:/purchaseOrderId', message: 'unknown purchase order', code: 'unknown_purchase_order' },
      ]);
    assertSiteVisible(auth, po.site_id, 'The purchase order');
    if (supplierId && supplierId !== po.supplier_id)
      throw unprocessable(
        'purchase_order_supplier_mismatch',
        'The purchase order is with another supplier.',
        [
          {
            field: 'body:/supplierId',
            message: 'not the order’s supplier',
            code: 'purchase_order_supplier_mismatch',
          },
        ],
      );
    supplierId = po.supplier_id;
  } else if (supplierId) {
    await assertSupplier(tx, supplierId);
  }
  if (input.inspection && input.type !== 'receipt')
    throw unprocessable('inspection_receipt_only', 'Only a receipt can go into inspection.', [
      { field: 'body:/inspection', message: 'receipts only', code: 'inspection_receipt_only' },
    ]);
  let writeOffReason: WriteOffReason | undefined;
  switch (input.type) {
    case 'return':
      if (!supplierId)
        throw unprocessable('supplier_required', 'A return to the supplier names the supplier.', [
          { field: 'body:/supplierId', message: 'required', code: 'supplier_required' },
        ]);
      if (blank(input.reason))
        throw unprocessable('reason_required', 'A return to the supplier needs a reason.', [
          { field: 'body:/reason', message: 'required', code: 'reason_required' },
        ]);
      break;
    case 'write_off':
      writeOffReason = input.writeOffReason ?? (blank(input.reason) ? undefined : 'other');
      if (!writeOffReason)
        throw unprocessable(
          'write_off_reason_required',
          'A write-off says why: damaged, expired, lost, or other with a reason.',
          [{ field: 'body:/writeOffReason', message: 'required', code: 'write_off_reason_required' }],
        );
      if (writeOffReason === 'other' && blank(input.reason))
        throw unprocessable('reason_required', 'A write-off for another reason says what it is.', [
          { field: 'body:/reason', message: 'required', code: 'reason_required' },
        ]);
      break;
    case 'receipt':
      await assertReceiptLot(tx, {
        ...lot,
        acceptShortDated: input.acceptShortDated,
        reason: input.reason,
      });
      break;
  }
  return {
    invoiceNumber: input.invoiceNumber?.trim() || undefined,
    deliveryNoteNumber: input.deliveryNoteNumber?.trim() || undefined,
    supplierId: input.type === 'receipt' || input.type === 'return' ? supplierId : undefined,
    purchaseOrderId: input.purchaseOrderId,
    writeOffReason,
  };
}
