import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';
import { requestRecalculation } from '../recalculation/recalculation-outbox.ts';

/**
 * Quarantine, and how a lot recall uses it.
 *
 * There is one quarantine: `stock.quarantined` (migration 0021), units of a stock row on hold.
 * The ledger never issues or transfers held units (returns to the supplier and write-offs may take
 * them), and available stock is on-hand minus least(quarantined, on_hand). Inspection on receipt
 * (receiving) and lot recalls both hold stock through it — do not add another flag.
 *
 * A recall (migration 0020) holds a lot everywhere, for as long as it is open: a trigger on
 * `stock` (hold_recalled_stock) sets quarantined = on_hand on any row of a recalled lot whose
 * units are not all held — the rows there when the recall opens, and any that arrive later (a
 * receipt or transfer of that lot, an inspection releasing its own hold) — and records in
 * `recall_holds` how many units it added per row. Releasing the recall takes back exactly those,
 * so an inspection's hold on the same row survives it.
 */

/**
 * Holds every unit of the lot now (the trigger does the work once the recall is open). The
 * item-locations are recalculated: held units are not available stock, so an alert may follow.
 */
export async function holdRecalledLot(tx: Tx, lotId: string): Promise<void> {
  const r = await tx.execute<{ item_id: string; location_id: string }>(
    sql`update stock set quarantined = quarantined where lot_id = ${lotId} returning item_id, location_id`,
  );
  await requestRecalculation(
    tx,
    r.rows.map((x) => ({ itemId: x.item_id, locationId: x.location_id })),
  );
}

/**
 * Gives back what a recall held. Call after setting the recall's status to released, so the
 * trigger no longer holds the lot.
 */
export async function releaseRecallHold(tx: Tx, recallId: string): Promise<void> {
  const r = await tx.execute<{ item_id: string; location_id: string }>(sql`
    update stock s set quarantined = greatest(0, s.quarantined - h.added), updated_at = now()
      from recall_holds h
     where h.recall_id = ${recallId} and s.location_id = h.location_id and s.item_id = h.item_id and s.lot_id = h.lot_id
    returning s.item_id, s.location_id`);
  await requestRecalculation(
    tx,
    r.rows.map((x) => ({ itemId: x.item_id, locationId: x.location_id })),
  );
}
