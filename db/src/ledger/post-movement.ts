import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';
import { requestRecalculation } from '../recalculation/recalculation-outbox.ts';
import type { MovementType } from '../tables/ledger.tables.ts';
import { organizationToday } from '../tenant/organization-time-zone.ts';
import { LedgerError } from './ledger-error.ts';

export type MovementKind =
  | 'receipt'
  | 'issue'
  | 'transfer'
  | 'adjustment'
  | 'stocktake'
  | 'return'
  | 'write_off';

export interface MovementRequest {
  type: MovementKind;
  itemId: string;
  locationId: string;
  /** Transfers only: where the stock goes. */
  toLocationId?: string;
  /**
   * Base units. Positive for every type except adjustment (signed, non-zero) and stocktake,
   * where it is the counted quantity (>= 0) and the ledger records the variance.
   */
  quantity: number;
  lotNumber?: string;
  expiryDate?: string;
  unitCost?: number;
  reason?: string;
  reference?: string;
  source?: string;
  purchaseOrderLineId?: string;
  scheduledProcedureId?: string;
  occurredAt?: Date;
  actorId?: string | null;
}

export interface PostedMovement {
  id: number;
  groupId: string;
  type: MovementType;
  itemId: string;
  locationId: string;
  lotId: string;
  lotNumber: string;
  expiryDate: string | null;
  quantity: number;
  occurredAt: string;
}

type LotRow = {
  id: string;
  lot_number: string;
  expiry_date: string | null;
};

const UNTRACKED_LOT = '';

/** Finds or creates the item's lot; a known lot number with a different expiry is refused. */
async function ensureLot(tx: Tx, itemId: string, lotNumber: string, expiryDate?: string): Promise<LotRow> {
  const r = await tx.execute<LotRow & { conflict: boolean }>(sql`
    insert into lots (item_id, lot_number, expiry_date) values (${itemId}, ${lotNumber}, ${expiryDate ?? null})
    on conflict (item_id, lot_number) do update set expiry_date = coalesce(lots.expiry_date, excluded.expiry_date)
    returning id, lot_number, to_char(expiry_date, 'YYYY-MM-DD') as expiry_date`);
  const lot = r.rows[0]!;
  if (expiryDate && lot.expiry_date && lot.expiry_date !== expiryDate) {
    throw new LedgerError(
      'lot_expiry_mismatch',
      `Lot ${lotNumber} is recorded with expiry ${lot.expiry_date}, not ${expiryDate}.`,
      422,
      'expiryDate',
    );
  }
  return lot;
}

async function findLot(tx: Tx, itemId: string, lotNumber: string): Promise<LotRow> {
  const r = await tx.execute<LotRow>(sql`
    select id, lot_number, to_char(expiry_date, 'YYYY-MM-DD') as expiry_date from lots
     where item_id = ${itemId} and lot_number = ${lotNumber}`);
  if (!r.rows[0])
    throw new LedgerError(
      'unknown_lot',
      `Lot ${lotNumber} of this item is not in stock anywhere.`,
      422,
      'lotNumber',
    );
  return r.rows[0];
}

async function addStock(tx: Tx, locationId: string, itemId: string, lotId: string, qty: number) {
  await tx.execute(sql`
    insert into stock (location_id, item_id, lot_id, on_hand) values (${locationId}, ${itemId}, ${lotId}, ${qty})
    on conflict (location_id, item_id, lot_id) do update set on_hand = stock.on_hand + excluded.on_hand, updated_at = now()`);
}

/** Conditional decrement: a single UPDATE, so concurrent issues serialise on the row and never lose an update. */
async function takeStock(tx: Tx, locationId: string, itemId: string, lot: LotRow, qty: number) {
  const r = await tx.execute(sql`
    update stock set on_hand = on_hand - ${qty}, updated_at = now()
     where location_id = ${locationId} and item_id = ${itemId} and lot_id = ${lot.id} and on_hand >= ${qty}
     returning on_hand`);
  if (!r.rowCount) {
    throw new LedgerError(
      'insufficient_stock',
      `Not enough stock of lot '${lot.lot_number || '(no lot)'}' at this location for ${qty}.`,
      409,
      'quantity',
    );
  }
}

/**
 * The ledger's one lock order. Before changing anything a movement locks the stock rows it may
 * change — the item's rows at every location it touches, only the named lot's when it names one —
 * in a single statement ordered by location, then lot. Two movements that share rows then queue
 * on the first shared row instead of each holding a row the other waits for (an A→B and a B→A
 * transfer of the same lot used to deadlock; so could a transfer and a first-expiry issue, which
 * otherwise lock in expiry order). Rows that do not exist yet (a destination's first stock of a
 * lot) cannot be locked ahead; the rare cycle through them is rolled back and run again by the
 * transaction helper (retryTransaction).
 */
async function lockStockRows(tx: Tx, itemId: string, locationIds: string[], lotNumber: string | undefined) {
  await tx.execute(sql`
    select 1 from stock
     where item_id = ${itemId} and location_id = any(${sql.param(locationIds)}::uuid[])
       ${lotNumber === undefined ? sql`` : sql`and lot_id in (select id from lots where item_id = ${itemId} and lot_number = ${lotNumber})`}
     order by location_id, lot_id
     for update`);
}

interface Allocation {
  lot: LotRow;
  qty: number;
}

/**
 * First expiry, first out: locks the location's lots of the item in expiry order and takes from
 * the earliest. Expired lots are skipped for issues and transfers (write-offs may take them).
 */
async function allocateFefo(
  tx: Tx,
  locationId: string,
  itemId: string,
  qty: number,
  allowExpired: boolean,
): Promise<Allocation[]> {
  // A lot is expired from the day after its expiry date, in the organisation's local days.
  const today = await organizationToday(tx);
  const r = await tx.execute<LotRow & { on_hand: number }>(sql`
    select l.id, l.lot_number, to_char(l.expiry_date, 'YYYY-MM-DD') as expiry_date, s.on_hand
      from stock s join lots l on l.id = s.lot_id
     where s.location_id = ${locationId} and s.item_id = ${itemId} and s.on_hand > 0
       and (${allowExpired}::boolean or l.expiry_date is null or l.expiry_date >= ${today}::date)
     order by l.expiry_date asc nulls last, l.created_at, l.id
     for update of s`);
  const out: Allocation[] = [];
  let left = qty;
  for (const row of r.rows) {
    if (left <= 0) break;
    const take = Math.min(left, Number(row.on_hand));
    out.push({ lot: row, qty: take });
    left -= take;
  }
  if (left > 0) {
    const available = qty - left;
    throw new LedgerError(
      'insufficient_stock',
      `Only ${available} usable (unexpired) units are in stock at this location; ${qty} were requested.`,
      409,
      'quantity',
    );
  }
  return out;
}

async function lotsToTake(tx: Tx, req: MovementRequest, allowExpired: boolean): Promise<Allocation[]> {
  if (req.lotNumber === undefined)
    return allocateFefo(tx, req.locationId, req.itemId, req.quantity, allowExpired);
  const lot = await findLot(tx, req.itemId, req.lotNumber);
  if (!allowExpired && lot.expiry_date && lot.expiry_date < (await organizationToday(tx))) {
    throw new LedgerError(
      'lot_expired',
      `Lot ${req.lotNumber} expired on ${lot.expiry_date} and cannot be issued; write it off.`,
      409,
      'lotNumber',
    );
  }
  return [{ lot, qty: req.quantity }];
}

async function insertMovement(
  tx: Tx,
  req: MovementRequest,
  groupId: string,
  type: MovementType,
  locationId: string,
  lot: LotRow,
  quantity: number,
): Promise<PostedMovement> {
  const r = await tx.execute<{ id: number; occurred_at: Date }>(sql`
    insert into movements (group_id, type, item_id, location_id, lot_id, quantity, unit_cost, reason, reference, source,
                           purchase_order_line_id, scheduled_procedure_id, occurred_at, actor_id)
    values (${groupId}, ${type}, ${req.itemId}, ${locationId}, ${lot.id}, ${quantity}, ${req.unitCost ?? null},
            ${req.reason ?? null}, ${req.reference ?? null}, ${req.source ?? 'api'}, ${req.purchaseOrderLineId ?? null},
            ${req.scheduledProcedureId ?? null}, ${req.occurredAt ?? new Date()}, ${req.actorId ?? null})
    returning id, occurred_at`);
  const row = r.rows[0]!;
  return {
    id: Number(row.id),
    groupId,
    type,
    itemId: req.itemId,
    locationId,
    lotId: lot.id,
    lotNumber: lot.lot_number,
    expiryDate: lot.expiry_date,
    quantity,
    occurredAt: new Date(row.occurred_at).toISOString(),
  };
}

async function assertItemAndLocations(tx: Tx, req: MovementRequest) {
  const item = await tx.execute<{ active: boolean }>(sql`select active from items where id = ${req.itemId}`);
  if (!item.rows[0]) throw new LedgerError('unknown_item', 'The item does not exist.', 422, 'itemId');
  if (!item.rows[0].active && req.type === 'receipt')
    throw new LedgerError('item_inactive', 'The item is inactive.', 422, 'itemId');
  const ids = [req.locationId, ...(req.toLocationId ? [req.toLocationId] : [])];
  for (const id of ids) {
    const loc = await tx.execute(sql`select 1 from locations where id = ${id} and active`);
    if (!loc.rowCount) {
      throw new LedgerError(
        'unknown_location',
        'The location does not exist or is inactive.',
        422,
        id === req.locationId ? 'locationId' : 'toLocationId',
      );
    }
  }
}

/**
 * Posts one stock movement: the ledger rows and the on-hand change in the caller's transaction.
 * Returns the ledger rows written (an issue spanning two lots writes two; a transfer writes an
 * out and an in per lot). The touched item-locations are marked for recalculation in the same
 * transaction, so the alert follows even if Redis or the worker is down when it commits.
 */
export async function postMovement(tx: Tx, req: MovementRequest): Promise<PostedMovement[]> {
  const posted = await writeMovement(tx, req);
  // In the same transaction: the item-locations whose stock changed need recalculation (outbox).
  await requestRecalculation(tx, posted);
  return posted;
}

async function writeMovement(tx: Tx, req: MovementRequest): Promise<PostedMovement[]> {
  const q = req.quantity;
  if (!Number.isSafeInteger(q))
    throw new LedgerError(
      'invalid_quantity',
      'Quantity must be a whole number of base units.',
      422,
      'quantity',
    );
  if (req.type === 'adjustment' ? q === 0 : req.type === 'stocktake' ? q < 0 : q <= 0) {
    throw new LedgerError(
      'invalid_quantity',
      `Quantity ${q} is not valid for a ${req.type}.`,
      422,
      'quantity',
    );
  }
  if (req.type === 'transfer' && (!req.toLocationId || req.toLocationId === req.locationId)) {
    throw new LedgerError(
      'invalid_transfer',
      'A transfer needs a different destination location.',
      422,
      'toLocationId',
    );
  }
  await assertItemAndLocations(tx, req);
  // Taking stock without a lot means first-expiry-first-out over every lot: lock them all.
  const takesAnyLot = ['issue', 'return', 'write_off', 'transfer'].includes(req.type);
  await lockStockRows(
    tx,
    req.itemId,
    [req.locationId, ...(req.toLocationId ? [req.toLocationId] : [])],
    takesAnyLot ? req.lotNumber : (req.lotNumber ?? UNTRACKED_LOT),
  );
  const groupId = crypto.randomUUID();

  switch (req.type) {
    case 'receipt': {
      const lot = await ensureLot(tx, req.itemId, req.lotNumber ?? UNTRACKED_LOT, req.expiryDate);
      await addStock(tx, req.locationId, req.itemId, lot.id, q);
      return [await insertMovement(tx, req, groupId, 'receipt', req.locationId, lot, q)];
    }
    case 'issue':
    case 'return':
    case 'write_off': {
      const out: PostedMovement[] = [];
      for (const a of await lotsToTake(tx, req, req.type !== 'issue')) {
        await takeStock(tx, req.locationId, req.itemId, a.lot, a.qty);
        out.push(await insertMovement(tx, req, groupId, req.type, req.locationId, a.lot, -a.qty));
      }
      return out;
    }
    case 'transfer': {
      const out: PostedMovement[] = [];
      for (const a of await lotsToTake(tx, req, false)) {
        await takeStock(tx, req.locationId, req.itemId, a.lot, a.qty);
        await addStock(tx, req.toLocationId!, req.itemId, a.lot.id, a.qty);
        out.push(await insertMovement(tx, req, groupId, 'transfer_out', req.locationId, a.lot, -a.qty));
        out.push(await insertMovement(tx, req, groupId, 'transfer_in', req.toLocationId!, a.lot, a.qty));
      }
      return out;
    }
    case 'adjustment': {
      const lot =
        q > 0
          ? await ensureLot(tx, req.itemId, req.lotNumber ?? UNTRACKED_LOT, req.expiryDate)
          : await findLot(tx, req.itemId, req.lotNumber ?? UNTRACKED_LOT);
      if (q > 0) await addStock(tx, req.locationId, req.itemId, lot.id, q);
      else await takeStock(tx, req.locationId, req.itemId, lot, -q);
      return [await insertMovement(tx, req, groupId, 'adjustment', req.locationId, lot, q)];
    }
    case 'stocktake': {
      // The count replaces the book quantity of that lot; the variance is what the ledger records.
      const lot = await ensureLot(tx, req.itemId, req.lotNumber ?? UNTRACKED_LOT, req.expiryDate);
      await addStock(tx, req.locationId, req.itemId, lot.id, 0);
      const cur = await tx.execute<{ on_hand: number }>(sql`
        select on_hand from stock where location_id = ${req.locationId} and item_id = ${req.itemId} and lot_id = ${lot.id} for update`);
      const variance = q - Number(cur.rows[0]!.on_hand);
      if (variance > 0) await addStock(tx, req.locationId, req.itemId, lot.id, variance);
      if (variance < 0) await takeStock(tx, req.locationId, req.itemId, lot, -variance);
      return [
        await insertMovement(
          tx,
          { ...req, reason: req.reason ?? `stocktake count ${q}` },
          groupId,
          'stocktake',
          req.locationId,
          lot,
          variance,
        ),
      ];
    }
  }
}
