import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';
import { LedgerError } from './ledger-error.ts';

/**
 * Consignment (寄售): a receipt from a supplier that delivers the item on consignment makes its lot
 * vendor-owned — the stock stays the supplier's wherever it is moved, until it is issued (the
 * ledger freezes the owner on every row, so an issue of it is usage the supplier bills for).
 * A lot is owned one way only: consignment stock needs its own lot number, and a lot that is
 * already the hospital's (it has stock or history) or another supplier's is refused.
 */
export async function assignLotOwner(
  tx: Tx,
  req: { itemId: string; supplierId?: string; lotNumber?: string },
): Promise<void> {
  if (!req.supplierId) {
    // The hospital's own receipt: refused into a lot a supplier owns (it would be billed later).
    const owned = await tx.execute(sql`
      select 1 from lots where item_id = ${req.itemId} and lot_number = ${req.lotNumber ?? ''} and owner_supplier_id is not null`);
    if (owned.rowCount) throw ownershipMismatch(req.lotNumber ?? '');
    return;
  }
  const r = await tx.execute<{
    consignment: boolean | null;
    lot_id: string | null;
    owner: string | null;
    has_history: boolean;
  }>(sql`
    select (select consignment from item_suppliers where item_id = ${req.itemId} and supplier_id = ${req.supplierId}) as consignment,
           lo.id as lot_id, lo.owner_supplier_id as owner,
           exists (select 1 from movements m where m.lot_id = lo.id) as has_history
      from (select 1) one
      left join lots lo on lo.item_id = ${req.itemId} and lo.lot_number = ${req.lotNumber ?? ''}`);
  const row = r.rows[0]!;
  const consigned = row.consignment === true;
  if (!consigned) {
    // A hospital-owned receipt into a lot a supplier owns would be billed as usage later.
    if (row.owner) throw ownershipMismatch(req.lotNumber ?? '');
    return;
  }
  if (!req.lotNumber)
    throw new LedgerError(
      'consignment_lot_required',
      'Consignment stock is received with its lot number: the lot is what stays the supplier’s.',
      422,
      'lotNumber',
    );
  if (row.owner === req.supplierId) return;
  if (row.owner || (row.lot_id && row.has_history)) throw ownershipMismatch(req.lotNumber);
  await tx.execute(sql`
    insert into lots (item_id, lot_number, owner_supplier_id) values (${req.itemId}, ${req.lotNumber}, ${req.supplierId})
    on conflict (item_id, lot_number) do update set owner_supplier_id = excluded.owner_supplier_id`);
}

function ownershipMismatch(lotNumber: string) {
  return new LedgerError(
    'lot_ownership_mismatch',
    `Lot ${lotNumber} is owned otherwise (consignment stock and the hospital's own stock cannot share a lot).`,
    409,
    'lotNumber',
    { lot: lotNumber },
  );
}
