import { localDay, type MovementKind } from '@medstock/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';
import { executePrepared } from '../prepared-statement.ts';
import { markForRecalculation, requestRecalculation } from '../recalculation/recalculation-outbox.ts';
import type { MovementType } from '../tables/ledger.tables.ts';
import { organizationTimeZone, organizationToday } from '../tenant/organization-time-zone.ts';
import { assignLotOwner } from './consignment.ts';
import {
  allocateFirstExpiry,
  type FirstExpiryRow,
  firstExpiryRows,
  lockedStock,
  takesExpired,
  takesFirstExpiry,
} from './first-expiry.ts';
import { LedgerError } from './ledger-error.ts';
import {
  type LedgerRow,
  type LotInfo,
  type NewEntry,
  planReplay,
  wholeCountVariance,
} from './ledger-replay.ts';
import { loadMovementContext, type MovementContext } from './movement-context.ts';

/** What a caller posts: core's MOVEMENT_KINDS (a transfer is one request, two ledger rows). */
export type { MovementKind };

export interface MovementRequest {
  type: MovementKind;
  itemId: string;
  locationId: string;
  /** Transfers only: where the stock goes. */
  toLocationId?: string;
  /**
   * Base units. Positive for every type except adjustment (signed, non-zero) and stocktake,
   * where it is the counted quantity (>= 0) and the ledger records the variance. A stocktake
   * without lotNumber counts the whole item-location (every lot).
   */
  quantity: number;
  lotNumber?: string;
  expiryDate?: string;
  /**
   * Receive a lot already past its expiry on the day of the receipt (an explicit override: it
   * needs a `reason`, recorded on the movement with its actor). Without it such a receipt is
   * refused with `lot_expired_on_receipt`.
   */
  acceptExpired?: boolean;
  unitCost?: number;
  reason?: string;
  reference?: string;
  /** Receipts: the supplier's invoice (发票号) and delivery note (随货同行单号) numbers. */
  invoiceNumber?: string;
  deliveryNoteNumber?: string;
  /**
   * Receipts: who delivered (a consignment supplier of the item makes the lot vendor-owned);
   * returns: the supplier the goods go back to.
   */
  supplierId?: string;
  /** Returns: the order the goods go back against (optional); PO receipts: their order. */
  purchaseOrderId?: string;
  /** Write-offs: why (报损原因); `other` needs `reason`. */
  writeOffReason?: WriteOffReason;
  source?: string;
  purchaseOrderLineId?: string;
  scheduledProcedureId?: string;
  /**
   * Issues only: where the stock went — a department (科室, its cost centre by default), a cost
   * centre, and/or a patient reference (an MRN or visit number, no personal data).
   */
  departmentId?: string;
  costCentre?: string;
  patientRef?: string;
  /** The requisition this issue fills (api requisition.service.ts). */
  requisitionId?: string;
  occurredAt?: Date;
  actorId?: string | null;
  /** Import that wrote it (history imports, stock-report imports). */
  importId?: string;
  /**
   * The item and locations as the caller already read them (loadMovementContext), so they are
   * not looked up again; without it postMovement reads them itself.
   */
  context?: MovementContext;
}

export type WriteOffReason = 'damaged' | 'expired' | 'lost' | 'other';

export interface PostedMovement {
  id: number;
  groupId: string;
  type: MovementType;
  itemId: string;
  locationId: string;
  /** null on the header row of a whole item-location count. */
  lotId: string | null;
  lotNumber: string | null;
  expiryDate: string | null;
  quantity: number;
  counted: number | null;
  occurredAt: string;
}

export type LotRow = {
  id: string;
  lot_number: string;
  expiry_date: string | null;
};

export const UNTRACKED_LOT = '';

/** Finds or creates the item's lot; a known lot number with a different expiry is refused. */
export async function ensureLot(
  tx: Tx,
  itemId: string,
  lotNumber: string,
  expiryDate?: string,
): Promise<LotRow> {
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
      { lot: lotNumber, recorded: lot.expiry_date, given: expiryDate },
    );
  }
  return lot;
}

/**
 * Expired stock does not come in unnoticed (issue 11): a lot past its expiry on the day it is
 * received (the movement's own day when back-dated) is refused, unless the request accepts it
 * explicitly and says why — the movement then records the reason with its actor and time.
 */
async function assertReceivableLot(tx: Tx, req: MovementRequest): Promise<void> {
  let expiry = req.expiryDate ?? null;
  if (!expiry && req.lotNumber) {
    const r = await tx.execute<{ expiry_date: string | null }>(sql`
      select to_char(expiry_date, 'YYYY-MM-DD') as expiry_date from lots where item_id = ${req.itemId} and lot_number = ${req.lotNumber}`);
    expiry = r.rows[0]?.expiry_date ?? null;
  }
  if (!expiry) return;
  const day = req.occurredAt
    ? localDay(req.occurredAt, await organizationTimeZone(tx))
    : await organizationToday(tx);
  if (expiry >= day) return;
  if (!req.acceptExpired)
    throw new LedgerError(
      'lot_expired_on_receipt',
      `Lot ${req.lotNumber ?? '(untracked)'} expired on ${expiry}; it is received only when the receipt accepts an expired lot explicitly (acceptExpired, with a reason).`,
      409,
      'expiryDate',
      { lot: req.lotNumber || '—', expiryDate: expiry },
    );
  if (!req.reason?.trim())
    throw new LedgerError('reason_required', 'Accepting an expired lot needs a reason.', 422, 'reason');
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
      { lot: lotNumber },
    );
  return r.rows[0];
}

async function addStock(tx: Tx, locationId: string, itemId: string, lotId: string, qty: number) {
  await tx.execute(sql`
    insert into stock (location_id, item_id, lot_id, on_hand) values (${locationId}, ${itemId}, ${lotId}, ${qty})
    on conflict (location_id, item_id, lot_id) do update set on_hand = stock.on_hand + excluded.on_hand, updated_at = now()`);
}

/**
 * Conditional decrement: a single UPDATE, so concurrent issues serialise on the row and never lose
 * an update. With `usableOnly` (transfers) quarantined units cannot be taken.
 */
async function takeStock(
  tx: Tx,
  locationId: string,
  itemId: string,
  lot: LotRow,
  qty: number,
  usableOnly = false,
) {
  const r = await tx.execute(sql`
    update stock set on_hand = on_hand - ${qty}, updated_at = now()
     where location_id = ${locationId} and item_id = ${itemId} and lot_id = ${lot.id}
       and on_hand - ${usableOnly ? sql`least(quarantined, on_hand)` : sql`0`} >= ${qty}
     returning on_hand`);
  if (!r.rowCount)
    throw usableOnly ? await shortOfUsable(tx, locationId, itemId, lot, qty) : insufficientStock(lot, qty);
}

/** Why a take of usable stock failed: quarantined units (409 lot_quarantined) or too few units. */
async function shortOfUsable(tx: Tx, locationId: string, itemId: string, lot: LotRow, qty: number) {
  const r = await tx.execute<{ on_hand: string; held: string }>(sql`
    select on_hand::text, least(quarantined, on_hand)::text as held from stock
     where location_id = ${locationId} and item_id = ${itemId} and lot_id = ${lot.id}`);
  const row = r.rows[0];
  if (row && Number(row.held) > 0 && Number(row.on_hand) >= qty)
    return new LedgerError(
      'lot_quarantined',
      `Lot '${lot.lot_number || '(no lot)'}' has ${row.held} units in quarantine here (inspection pending or recalled); only ${Number(row.on_hand) - Number(row.held)} can be taken.`,
      409,
      'quantity',
      { lot: lot.lot_number, held: Number(row.held), usable: Number(row.on_hand) - Number(row.held) },
    );
  return insufficientStock(lot, qty);
}

function insufficientStock(lot: LotRow, qty: number) {
  return new LedgerError(
    'insufficient_stock',
    `Not enough stock of lot '${lot.lot_number || '(no lot)'}' at this location for ${qty}.`,
    409,
    'quantity',
    { lot: lot.lot_number || '—', quantity: qty },
    'lot',
  );
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
export async function lockStockRows(
  tx: Tx,
  itemId: string,
  locationIds: string[],
  lotNumber: string | undefined,
) {
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
  const r = await tx.execute<FirstExpiryRow>(
    sql`${firstExpiryRows(locationId, sql`stock`, itemId)} for update of s`,
  );
  return allocateFirstExpiry(r.rows, qty, allowExpired, await organizationToday(tx));
}

/**
 * lockStockRows and the first-expiry read in one statement, for a movement that takes without
 * naming a lot, unless the caller's context statement locked and read them already.
 */
async function lockAndAllocateFefo(tx: Tx, req: MovementRequest, locations: string[]): Promise<Allocation[]> {
  const pre = req.context?.firstExpiry;
  const rows =
    pre &&
    pre.itemId === req.itemId &&
    pre.locationId === req.locationId &&
    pre.lockedLocationIds.length === locations.length &&
    locations.every((l) => pre.lockedLocationIds.includes(l))
      ? pre.rows
      : (
          await tx.execute<FirstExpiryRow>(sql`
            with ${lockedStock(sql`${req.itemId}::uuid`, locations)}
            ${firstExpiryRows(req.locationId, sql`locked`)}`)
        ).rows;
  return allocateFirstExpiry(rows, req.quantity, takesExpired(req.type), await organizationToday(tx));
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
      { lot: req.lotNumber ?? '—', expiryDate: lot.expiry_date ?? '' },
    );
  }
  return [{ lot, qty: req.quantity }];
}

interface RowFields {
  type: MovementType;
  locationId: string;
  lot: LotRow | null;
  quantity: number;
  counted?: number | null;
  reason?: string | null;
  /** Microseconds since the epoch; default req.occurredAt or now. */
  atMicros?: number;
}

/**
 * The columns of a written row that PostedMovement leaves out (it is also the payload of
 * movement.created webhooks, whose shape stays), as INSERT … RETURNING gave them: the API answers
 * with them instead of reading the rows back. Kept beside the object rather than on it.
 */
export interface RecordedColumns {
  unitCost: string | null;
  reason: string | null;
  reference: string | null;
  source: string;
  recordedAt: string;
  actorId: string | null;
  invoiceNumber: string | null;
  deliveryNoteNumber: string | null;
  supplierId: string | null;
  purchaseOrderId: string | null;
  writeOffReason: WriteOffReason | null;
  ownerSupplierId: string | null;
  /** Issues: where the stock went (department, cost centre, patient reference) and the requisition. */
  departmentId: string | null;
  costCentre: string | null;
  patientRef: string | null;
  requisitionId: string | null;
}

const recorded = new WeakMap<PostedMovement, RecordedColumns>();

/** The RETURNING columns of a row this module wrote (undefined for any other object). */
export function recordedColumns(m: PostedMovement): RecordedColumns | undefined {
  return recorded.get(m);
}

const MOVEMENT_COLUMNS = sql`(group_id, type, item_id, location_id, lot_id, quantity, counted, unit_cost, reason, reference,
  source, purchase_order_line_id, scheduled_procedure_id, occurred_at, actor_id, import_id,
  invoice_number, delivery_note_number, supplier_id, purchase_order_id, write_off_reason, owner_supplier_id,
  department_id, cost_centre, patient_ref, requisition_id)`;

const RETURNED = sql`returning id, lot_id, occurred_at, recorded_at, unit_cost::text as unit_cost, reason, reference, source, actor_id,
  invoice_number, delivery_note_number, supplier_id, purchase_order_id, write_off_reason, owner_supplier_id,
  department_id, cost_centre, patient_ref, requisition_id`;

type ReturnedRow = {
  id: number;
  lot_id: string | null;
  occurred_at: Date;
  recorded_at: Date;
  unit_cost: string | null;
  reason: string | null;
  reference: string | null;
  source: string;
  actor_id: string | null;
  invoice_number: string | null;
  delivery_note_number: string | null;
  supplier_id: string | null;
  purchase_order_id: string | null;
  write_off_reason: WriteOffReason | null;
  owner_supplier_id: string | null;
  department_id: string | null;
  cost_centre: string | null;
  patient_ref: string | null;
  requisition_id: string | null;
};

/** One row's values in MOVEMENT_COLUMNS order; `lot` and `quantity` may be SQL (a joined set). */
function rowValues(
  req: MovementRequest,
  groupId: string,
  f: RowFields,
  sqlLot: SQL = sql`${f.lot?.id ?? null}::uuid`,
  sqlQuantity: SQL = sql`${f.quantity}::bigint`,
): SQL {
  const at =
    f.atMicros !== undefined
      ? sql`(timestamptz 'epoch' + ${String(f.atMicros)}::bigint * interval '1 microsecond')`
      : sql`${req.occurredAt ?? new Date()}::timestamptz`;
  return sql`${groupId}::uuid, ${f.type}, ${req.itemId}::uuid, ${f.locationId}::uuid, ${sqlLot}, ${sqlQuantity},
    ${f.counted ?? null}::bigint, ${req.unitCost ?? null}::numeric, ${f.reason === undefined ? (req.reason ?? null) : f.reason},
    ${req.reference ?? null}, ${req.source ?? 'api'}, ${req.purchaseOrderLineId ?? null}::uuid,
    ${req.scheduledProcedureId ?? null}::uuid, ${at}, ${req.actorId ?? null}::uuid, ${req.importId ?? null}::uuid,
    ${req.invoiceNumber ?? null}, ${req.deliveryNoteNumber ?? null}, ${req.supplierId ?? null}::uuid,
    ${req.purchaseOrderId ?? null}::uuid, ${req.writeOffReason ?? null},
    (select lo.owner_supplier_id from lots lo where lo.id = ${sqlLot}),
    ${destinationValues(req, f.type)}`;
}

/** The issue's destination, on its own rows only (a count a back-dated issue re-applies has none). */
function destinationValues(req: MovementRequest, type: MovementType): SQL {
  if (type !== 'issue') return sql`null::uuid, null::text, null::text, null::uuid`;
  return sql`${req.departmentId ?? null}::uuid, ${req.costCentre ?? null}::text, ${req.patientRef ?? null}::text,
    ${req.requisitionId ?? null}::uuid`;
}

/**
 * An issue's destination: only issues have one; a department must exist and be active, and gives
 * its cost centre when none is named.
 */
async function resolveDestination(tx: Tx, req: MovementRequest): Promise<MovementRequest> {
  if (req.departmentId === undefined && req.costCentre === undefined && req.patientRef === undefined)
    return req;
  if (req.type !== 'issue')
    throw new LedgerError(
      'destination_only_on_issue',
      'Only an issue goes to a department, cost centre or patient.',
      422,
      req.departmentId ? 'departmentId' : req.costCentre ? 'costCentre' : 'patientRef',
    );
  if (!req.departmentId) return req;
  const r = await tx.execute<{ cost_centre: string | null; active: boolean }>(
    sql`select cost_centre, active from departments where id = ${req.departmentId}`,
  );
  const d = r.rows[0];
  if (!d?.active)
    throw new LedgerError(
      'unknown_department',
      'The department does not exist or is inactive.',
      422,
      'departmentId',
    );
  return { ...req, costCentre: req.costCentre ?? d.cost_centre ?? undefined };
}

function postedOf(row: ReturnedRow, req: MovementRequest, groupId: string, f: RowFields) {
  const m: PostedMovement = {
    id: Number(row.id),
    groupId,
    type: f.type,
    itemId: req.itemId,
    locationId: f.locationId,
    lotId: f.lot?.id ?? null,
    lotNumber: f.lot?.lot_number ?? null,
    expiryDate: f.lot?.expiry_date ?? null,
    quantity: f.quantity,
    counted: f.counted ?? null,
    occurredAt: new Date(row.occurred_at).toISOString(),
  };
  recorded.set(m, {
    unitCost: row.unit_cost,
    reason: row.reason,
    reference: row.reference,
    source: row.source,
    recordedAt: new Date(row.recorded_at).toISOString(),
    actorId: row.actor_id,
    invoiceNumber: row.invoice_number,
    deliveryNoteNumber: row.delivery_note_number,
    supplierId: row.supplier_id,
    purchaseOrderId: row.purchase_order_id,
    writeOffReason: row.write_off_reason,
    ownerSupplierId: row.owner_supplier_id,
    departmentId: row.department_id,
    costCentre: row.cost_centre,
    patientRef: row.patient_ref,
    requisitionId: row.requisition_id,
  });
  return m;
}

/** Writes ledger rows in one statement; returns them in the order given. */
async function insertMovements(
  tx: Tx,
  req: MovementRequest,
  rows: ReadonlyArray<{ groupId: string; f: RowFields }>,
): Promise<PostedMovement[]> {
  if (rows.length === 0) return [];
  const values = sql.join(
    rows.map((r) => sql`(${rowValues(req, r.groupId, r.f)})`),
    sql`, `,
  );
  // A multi-row VALUES insert returns its rows in the order of the list.
  const r = await tx.execute<ReturnedRow>(
    sql`insert into movements ${MOVEMENT_COLUMNS} values ${values} ${RETURNED}`,
  );
  return r.rows.map((row, i) => postedOf(row, req, rows[i]!.groupId, rows[i]!.f));
}

async function insertMovement(
  tx: Tx,
  req: MovementRequest,
  groupId: string,
  f: RowFields,
): Promise<PostedMovement> {
  return (await insertMovements(tx, req, [{ groupId, f }]))[0]!;
}

/** Rows whose item-location their own statement already marked in the recalculation outbox. */
const markedWithRows = new WeakSet<PostedMovement>();

/**
 * Takes the allocated quantities off their stock rows, writes one ledger row per lot and marks the
 * item-location for recalculation, in one statement: each decrement is conditional (on_hand >=
 * qty, so concurrent takes serialise on the row and never go below zero) and a lot whose
 * decrement found too little stock gets no row, which is refused here as insufficient_stock (the
 * caller's transaction rolls back, the outbox mark with it).
 */
async function takeAndRecord(
  tx: Tx,
  req: MovementRequest,
  groupId: string,
  type: MovementType,
  locationId: string,
  allocations: readonly Allocation[],
): Promise<PostedMovement[]> {
  const f: RowFields = { type, locationId, lot: null, quantity: 0 };
  // Arrays, not a VALUES list, so the text is the same for any number of lots (one prepared statement).
  const r = await executePrepared<ReturnedRow & { item_id: string; location_id: string }>(
    tx,
    sql`
    with take(n, lot_id, qty) as (
      select * from unnest(${sql.param(allocations.map((_, n) => n))}::int[],
                           ${sql.param(allocations.map((a) => a.lot.id))}::uuid[],
                           ${sql.param(allocations.map((a) => a.qty))}::bigint[])),
    taken as (
      update stock s set on_hand = s.on_hand - t.qty, updated_at = now() from take t
       where s.location_id = ${locationId} and s.item_id = ${req.itemId} and s.lot_id = t.lot_id
         and s.on_hand - (case when ${takesExpired(type)}::boolean then 0 else least(s.quarantined, s.on_hand) end) >= t.qty
       returning s.lot_id),
    ins as (
      insert into movements ${MOVEMENT_COLUMNS}
      select ${rowValues(req, groupId, f, sql`t.lot_id`, sql`-t.qty`)}
        from take t join taken k on k.lot_id = t.lot_id order by t.n
      ${RETURNED}, item_id, location_id),
    marked as (${markForRecalculation(sql`(select item_id, location_id from ins)`)})
    select * from ins`,
  );
  const byLot = new Map(r.rows.map((row) => [row.lot_id, row]));
  const missing = allocations.find((a) => !byLot.has(a.lot.id));
  if (missing)
    throw takesExpired(type)
      ? insufficientStock(missing.lot, missing.qty)
      : await shortOfUsable(tx, locationId, req.itemId, missing.lot, missing.qty);
  return allocations.map((a) => {
    const row = byLot.get(a.lot.id)!;
    const m = postedOf(row, req, groupId, { ...f, lot: a.lot, quantity: -a.qty });
    markedWithRows.add(m);
    return m;
  });
}

async function assertItemAndLocations(tx: Tx, req: MovementRequest) {
  const ids = [req.locationId, ...(req.toLocationId ? [req.toLocationId] : [])];
  const given = req.context;
  const context =
    given?.item?.id === req.itemId && ids.every((id) => given.locations.has(id))
      ? given
      : await loadMovementContext(tx, { id: req.itemId }, ids);
  if (!context.item) throw new LedgerError('unknown_item', 'The item does not exist.', 422, 'itemId');
  if (!context.item.active && req.type === 'receipt')
    throw new LedgerError('item_inactive', 'The item is inactive.', 422, 'itemId');
  for (const id of ids) {
    const location = context.locations.get(id);
    if (!location?.active) {
      const field = id === req.locationId ? 'locationId' : 'toLocationId';
      // Deactivated (itself or its site) is its own problem: the storekeeper can fix it.
      throw location
        ? new LedgerError('location_inactive', 'The location (or its site) is deactivated.', 422, field)
        : new LedgerError('unknown_location', 'The location does not exist.', 422, field);
    }
  }
}

/**
 * Posts one stock movement: the ledger rows and the on-hand change in the caller's transaction.
 * Returns the ledger rows written (an issue spanning two lots writes two; a transfer writes an
 * out and an in per lot). The touched item-locations are marked for recalculation in the same
 * transaction, so the alert follows even if Redis or the worker is down when it commits.
 */
export async function postMovement(tx: Tx, request: MovementRequest): Promise<PostedMovement[]> {
  const req = await resolveDestination(tx, request);
  const posted = await writeMovement(tx, req);
  // In the same transaction: the item-locations whose stock changed need recalculation (outbox),
  // unless the statement that wrote their rows marked them already.
  await requestRecalculation(
    tx,
    posted.filter((m) => !markedWithRows.has(m)),
  );
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
      { quantity: q },
      'whole',
    );
  if (req.type === 'adjustment' ? q === 0 : req.type === 'stocktake' ? q < 0 : q <= 0) {
    throw new LedgerError(
      'invalid_quantity',
      `A quantity of ${q} is not valid for ${req.type === 'adjustment' ? 'an adjustment' : `a ${req.type}`}.`,
      422,
      'quantity',
      { quantity: q, type: req.type },
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
  if (req.occurredAt && req.occurredAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) {
    throw new LedgerError(
      'occurred_in_future',
      'A movement cannot be dated in the future.',
      422,
      'occurredAt',
    );
  }
  await assertItemAndLocations(tx, req);
  if (req.type === 'receipt' || (req.type === 'adjustment' && req.quantity > 0))
    await assertReceivableLot(tx, req);
  if (req.type === 'receipt') await assignLotOwner(tx, req);
  const locations = [req.locationId, ...(req.toLocationId ? [req.toLocationId] : [])];
  // Taking stock without a lot means first-expiry-first-out over every lot, a count without a lot
  // counts every lot, and a dated entry may be absorbed by counts of any lot: lock them all.
  const anyLot =
    req.occurredAt !== undefined ||
    req.type === 'stocktake' ||
    ['issue', 'return', 'write_off', 'transfer'].includes(req.type);
  // The common case (take today without naming a lot) locks and reads its lots in one statement.
  const fefo = takesFirstExpiry(req) ? await lockAndAllocateFefo(tx, req, locations) : undefined;
  if (!fefo)
    await lockStockRows(tx, req.itemId, locations, anyLot ? req.lotNumber : (req.lotNumber ?? UNTRACKED_LOT));
  const groupId = crypto.randomUUID();
  if (req.occurredAt !== undefined && (await hasRowsSince(tx, req.itemId, locations, req.occurredAt)))
    return writeDated(tx, req, groupId, locations);

  switch (req.type) {
    case 'receipt': {
      const lot = await ensureLot(tx, req.itemId, req.lotNumber ?? UNTRACKED_LOT, req.expiryDate);
      await addStock(tx, req.locationId, req.itemId, lot.id, q);
      return [
        await insertMovement(tx, req, groupId, {
          type: 'receipt',
          locationId: req.locationId,
          lot,
          quantity: q,
        }),
      ];
    }
    case 'issue':
    case 'return':
    case 'write_off': {
      const allocations = fefo ?? (await lotsToTake(tx, req, req.type !== 'issue'));
      return takeAndRecord(tx, req, groupId, req.type, req.locationId, allocations);
    }
    case 'transfer': {
      const rows: { groupId: string; f: RowFields }[] = [];
      for (const a of fefo ?? (await lotsToTake(tx, req, false))) {
        await takeStock(tx, req.locationId, req.itemId, a.lot, a.qty, true);
        await addStock(tx, req.toLocationId!, req.itemId, a.lot.id, a.qty);
        rows.push(
          { groupId, f: { type: 'transfer_out', locationId: req.locationId, lot: a.lot, quantity: -a.qty } },
          { groupId, f: { type: 'transfer_in', locationId: req.toLocationId!, lot: a.lot, quantity: a.qty } },
        );
      }
      return insertMovements(tx, req, rows);
    }
    case 'adjustment': {
      const lot =
        q > 0
          ? await ensureLot(tx, req.itemId, req.lotNumber ?? UNTRACKED_LOT, req.expiryDate)
          : await findLot(tx, req.itemId, req.lotNumber ?? UNTRACKED_LOT);
      if (q > 0) await addStock(tx, req.locationId, req.itemId, lot.id, q);
      else await takeStock(tx, req.locationId, req.itemId, lot, -q);
      return [
        await insertMovement(tx, req, groupId, {
          type: 'adjustment',
          locationId: req.locationId,
          lot,
          quantity: q,
        }),
      ];
    }
    case 'stocktake': {
      if (req.lotNumber !== undefined) {
        // The count replaces the book quantity of that lot; the variance is what the ledger records.
        const lot = await ensureLot(tx, req.itemId, req.lotNumber, req.expiryDate);
        await addStock(tx, req.locationId, req.itemId, lot.id, 0);
        const cur = await tx.execute<{ on_hand: number }>(sql`
          select on_hand from stock where location_id = ${req.locationId} and item_id = ${req.itemId} and lot_id = ${lot.id}`);
        const variance = q - Number(cur.rows[0]!.on_hand);
        if (variance > 0) await addStock(tx, req.locationId, req.itemId, lot.id, variance);
        if (variance < 0) await takeStock(tx, req.locationId, req.itemId, lot, -variance);
        return [
          await insertMovement(tx, req, groupId, {
            type: 'stocktake',
            locationId: req.locationId,
            lot,
            quantity: variance,
            counted: q,
            reason: req.reason ?? `stocktake count ${q}`,
          }),
        ];
      }
      // No lot: the count is of the whole item-location, every lot together.
      const lots = await lotInfos(tx, req.itemId);
      const balances = await stockByLot(tx, req.itemId, req.locationId);
      const untracked = await ensureLot(tx, req.itemId, UNTRACKED_LOT);
      const variance = wholeCountVariance(balances, q, lots.info, untracked.id);
      const out = [
        await insertMovement(tx, req, groupId, {
          type: 'stocktake',
          locationId: req.locationId,
          lot: null,
          quantity: 0,
          counted: q,
          reason: req.reason ?? `stocktake count ${q} (all lots)`,
        }),
      ];
      for (const [lotId, v] of variance) {
        const lot = lots.rows.get(lotId) ?? untracked;
        if (v > 0) await addStock(tx, req.locationId, req.itemId, lot.id, v);
        else await takeStock(tx, req.locationId, req.itemId, lot, -v);
        out.push(
          await insertMovement(tx, req, groupId, {
            type: 'stocktake',
            locationId: req.locationId,
            lot,
            quantity: v,
            reason: `count variance of lot '${lot.lot_number || '(no lot)'}'`,
          }),
        );
      }
      return out;
    }
  }
}

/** A movement dated up to this far ahead is accepted (clock skew between clients and server). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

async function hasRowsSince(tx: Tx, itemId: string, locations: string[], at: Date): Promise<boolean> {
  const r = await tx.execute(sql`
    select 1 from movements where item_id = ${itemId} and location_id = any(${sql.param(locations)}::uuid[])
       and occurred_at >= ${at}::timestamptz limit 1`);
  return (r.rowCount ?? 0) > 0;
}

export interface ItemLots {
  info: Map<string, LotInfo>;
  rows: Map<string, LotRow>;
}

/** The item's lots for a replay, its untracked lot ('') created when missing. */
export async function loadItemLots(tx: Tx, itemId: string): Promise<ItemLots & { untracked: LotRow }> {
  const untracked = await ensureLot(tx, itemId, UNTRACKED_LOT);
  const lots = await lotInfos(tx, itemId);
  return { ...lots, untracked };
}

async function lotInfos(tx: Tx, itemId: string): Promise<ItemLots> {
  const r = await tx.execute<LotRow>(sql`
    select id, lot_number, to_char(expiry_date, 'YYYY-MM-DD') as expiry_date from lots
     where item_id = ${itemId} order by created_at, id`);
  const info = new Map<string, LotInfo>();
  const rows = new Map<string, LotRow>();
  r.rows.forEach((l, i) => {
    info.set(l.id, { id: l.id, expiryDate: l.expiry_date, order: i });
    rows.set(l.id, l);
  });
  return { info, rows };
}

async function stockByLot(tx: Tx, itemId: string, locationId: string): Promise<Map<string, number>> {
  const r = await tx.execute<{ lot_id: string; on_hand: number }>(sql`
    select lot_id, on_hand from stock where item_id = ${itemId} and location_id = ${locationId} and on_hand <> 0`);
  return new Map(r.rows.map((x) => [x.lot_id, Number(x.on_hand)]));
}

/** Every ledger row of one item-location, times in microseconds (the replay's input). */
export async function loadTimeline(tx: Tx, itemId: string, locationId: string): Promise<LedgerRow[]> {
  const r = await tx.execute<{
    group_id: string;
    type: string;
    lot_id: string | null;
    quantity: string;
    counted: string | null;
    us: string;
  }>(sql`
    select group_id, type, lot_id, quantity::text, counted::text,
           (extract(epoch from occurred_at) * 1000000)::bigint::text as us
      from movements where item_id = ${itemId} and location_id = ${locationId}`);
  return r.rows.map((x) => ({
    groupId: x.group_id,
    type: x.type,
    lotId: x.lot_id,
    quantity: Number(x.quantity),
    counted: x.counted === null ? null : Number(x.counted),
    at: Number(x.us),
  }));
}

export const micros = (d: Date) => d.getTime() * 1000;

/**
 * A movement dated before rows already in the ledger: replayed against the item-location's
 * history (ledger-replay.ts). Later counts absorb it; what they do not absorb changes today's
 * on-hand, refused with 409 insufficient_stock when a lot would go below zero.
 */
async function writeDated(
  tx: Tx,
  req: MovementRequest,
  groupId: string,
  locations: string[],
): Promise<PostedMovement[]> {
  const q = req.quantity;
  const at = micros(req.occurredAt!);
  const lots = await loadItemLots(tx, req.itemId);
  const untracked = lots.untracked;
  const named = async (create: boolean): Promise<LotRow | null> => {
    if (req.lotNumber === undefined) return null;
    const lot = create
      ? await ensureLot(tx, req.itemId, req.lotNumber, req.expiryDate)
      : await findLot(tx, req.itemId, req.lotNumber);
    if (!lots.rows.has(lot.id)) {
      lots.rows.set(lot.id, lot);
      lots.info.set(lot.id, { id: lot.id, expiryDate: lot.expiry_date, order: lots.info.size });
    }
    return lot;
  };
  let entry: NewEntry;
  let type: MovementType = req.type === 'transfer' ? 'transfer_out' : (req.type as MovementType);
  switch (req.type) {
    case 'receipt':
      entry = { kind: 'movement', ref: 0, at, quantity: q, lotId: ((await named(true)) ?? untracked).id };
      break;
    case 'adjustment':
      entry = {
        kind: 'movement',
        ref: 0,
        at,
        quantity: q,
        lotId: ((await named(q > 0)) ?? untracked).id,
      };
      break;
    case 'stocktake':
      type = 'stocktake';
      entry = { kind: 'count', ref: 0, at, counted: q, lotId: (await named(true))?.id ?? null };
      break;
    default: {
      const lot = await named(false);
      const day = localDay(req.occurredAt!, await organizationTimeZone(tx));
      if (
        lot &&
        req.type !== 'write_off' &&
        req.type !== 'return' &&
        lot.expiry_date &&
        lot.expiry_date < day
      ) {
        throw new LedgerError(
          'lot_expired',
          `Lot ${req.lotNumber} had expired on ${lot.expiry_date} and could not be issued then.`,
          409,
          'lotNumber',
          { lot: req.lotNumber ?? '—', expiryDate: lot.expiry_date ?? '' },
          'then',
        );
      }
      entry = {
        kind: 'movement',
        ref: 0,
        at,
        quantity: -q,
        lotId: lot?.id ?? null,
        allowExpired: req.type === 'write_off' || req.type === 'return',
      };
    }
  }
  const out: PostedMovement[] = [];
  const source = await writeReplay(tx, req, groupId, req.locationId, [{ entry, type }], lots);
  out.push(...source.posted);
  if (req.type === 'transfer') {
    const inbound: PlanEntry[] = source.posted
      .filter((r) => r.type === 'transfer_out')
      .map((m, i) => ({
        entry: { kind: 'movement', ref: i, at, quantity: -m.quantity, lotId: m.lotId },
        type: 'transfer_in',
      }));
    out.push(...(await writeReplay(tx, req, groupId, locations[1]!, inbound, lots)).posted);
  }
  return out;
}

/** One entry of a replay with the ledger type and reason its rows get. */
export interface PlanEntry {
  entry: NewEntry;
  type: MovementType;
  reason?: string;
}

/**
 * Replays entries into one item-location's ledger (planReplay) and writes the result: the
 * entries' rows in `groupId`, compensation rows in the groups of the counts that absorb them,
 * and the change of today's on-hand. Returns the rows of `groupId`.
 */
export async function writeReplay(
  tx: Tx,
  req: MovementRequest,
  groupId: string,
  locationId: string,
  entries: PlanEntry[],
  lots: ItemLots,
): Promise<{ posted: PostedMovement[]; bookAtCount: Map<number, number> }> {
  const untracked = [...lots.rows.values()].find((l) => l.lot_number === UNTRACKED_LOT)!;
  const timeline = await loadTimeline(tx, req.itemId, locationId);
  const stockNow = await stockByLot(tx, req.itemId, locationId);
  const plan = planReplay(
    timeline,
    entries.map((e) => e.entry),
    lots.info,
    untracked.id,
    stockNow,
    await organizationTimeZone(tx),
  );
  const byRef = new Map(entries.map((e) => [e.entry.ref, e]));
  const out: PostedMovement[] = [];
  for (const r of plan.rows) {
    const lot = r.lotId === null ? null : (lots.rows.get(r.lotId) ?? null);
    if (r.role === 'absorb') {
      await insertMovement(tx, req, r.groupId!, {
        type: 'stocktake',
        locationId,
        lot,
        quantity: r.quantity,
        reason: `count re-applied after back-dated entries ${groupId}`,
        atMicros: r.at,
      });
      continue;
    }
    const e = byRef.get(r.ref!)!;
    out.push(
      await insertMovement(tx, req, groupId, {
        type: r.role === 'movement' ? e.type : 'stocktake',
        locationId,
        lot,
        quantity: r.quantity,
        counted: r.counted,
        reason:
          r.role === 'count'
            ? (e.reason ?? `stocktake count ${r.counted}`)
            : r.role === 'count_header'
              ? (e.reason ?? `stocktake count ${r.counted} (all lots)`)
              : r.role === 'count_variance'
                ? `count variance of lot '${lot?.lot_number || '(no lot)'}'`
                : (e.reason ?? req.reason ?? null),
        atMicros: r.at,
      }),
    );
  }
  // A back-dated issue or transfer changes today's stock like any other: not out of quarantine.
  await applyStockDelta(
    tx,
    req.itemId,
    locationId,
    plan.stockDelta,
    lots.rows,
    req.type === 'issue' || req.type === 'transfer',
  );
  return { posted: out, bookAtCount: plan.bookAtCount };
}

/** Adds the replay's change of today's on-hand to the stock rows (409 when a lot would go below zero). */
export async function applyStockDelta(
  tx: Tx,
  itemId: string,
  locationId: string,
  delta: Map<string, number>,
  lots: Map<string, LotRow>,
  /** Issues and transfers: quarantined units cannot be taken (409 lot_quarantined). */
  usableOnly = false,
) {
  for (const [lotId, d] of delta) {
    if (d > 0) await addStock(tx, locationId, itemId, lotId, d);
    else if (d < 0)
      await takeStock(
        tx,
        locationId,
        itemId,
        lots.get(lotId) ?? { id: lotId, lot_number: '?', expiry_date: null },
        -d,
        usableOnly,
      );
  }
}
