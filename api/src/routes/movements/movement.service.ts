import { type ItemUnits, normaliseGtin, parseGs1, toBaseQuantity } from '@medstock/core';
import {
  emitEvent,
  type MovementKind,
  type MovementType,
  type PostedMovement,
  postMovement,
  withTenantDb,
} from '@medstock/db';
import { takesFirstExpiry } from '@medstock/db/ledger/first-expiry.ts';
import { holdForInspection } from '@medstock/db/ledger/inspection.ts';
import { loadMovementContext, type MovementContext } from '@medstock/db/ledger/movement-context.ts';
import { recordedColumns, type WriteOffReason } from '@medstock/db/ledger/post-movement.ts';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { notFound, unprocessable } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { visibleDepartment } from '../departments/departments.service.ts';
import { checkReceivingInput } from '../receiving/receiving-input.ts';

export interface MovementInput {
  type: MovementKind;
  itemId?: string;
  gtin?: string;
  scan?: string;
  locationId: string;
  toLocationId?: string;
  quantity?: number;
  unit?: string;
  lotNumber?: string;
  expiryDate?: string;
  acceptExpired?: boolean;
  unitCost?: number;
  reason?: string;
  reference?: string;
  occurredAt?: string;
  /** Receiving (issue 11): documents, the supplier, short-dated override, inspection. */
  invoiceNumber?: string;
  deliveryNoteNumber?: string;
  supplierId?: string;
  purchaseOrderId?: string;
  acceptShortDated?: boolean;
  /** Receipts: into quarantine until inspected (待验收). */
  inspection?: boolean;
  writeOffReason?: WriteOffReason;
  /** Issues: to a department (its cost centre by default), a cost centre, a patient reference. */
  departmentId?: string;
  costCentre?: string;
  patientRef?: string;
}

type ItemRow = {
  id: string;
  base_unit: string;
  unit_cost: string;
  units: { code: string; factor: number }[] | null;
};

export function itemUnitsOf(row: ItemRow): ItemUnits {
  return {
    baseUnit: { code: row.base_unit },
    packUnits: (row.units ?? []).map((u) => ({ code: u.code, factor: u.factor })),
  };
}

/**
 * The caller's location, checked against its site limits (404 otherwise): the location's site.
 * A location that does not exist is refused here, before the item is considered.
 */
function visibleLocationSite(
  context: MovementContext,
  auth: AuthContext,
  locationId: string,
  field: string,
): string {
  const site = context.locations.get(locationId)?.siteId;
  if (!site) {
    throw unprocessable('unknown_location', 'The location does not exist.', [
      { field: `body:/${field}`, message: 'unknown location' },
    ]);
  }
  assertSiteVisible(auth, site, 'The location');
  return site;
}

/** What the storekeeper scanned or typed, before any look-up: the GTIN, lot, expiry and count. */
export function parseScan(input: MovementInput) {
  let gtin = input.gtin ? normaliseGtin(input.gtin) : undefined;
  let lotNumber = input.lotNumber;
  let expiryDate = input.expiryDate;
  let quantity = input.quantity;
  if (input.scan) {
    const parsed = parseGs1(input.scan);
    gtin = parsed.gtin;
    for (const [field, scanned, given] of [
      ['lotNumber', parsed.lot, lotNumber],
      ['expiryDate', parsed.expiry, expiryDate],
    ] as const) {
      if (scanned && given && scanned !== given) {
        throw unprocessable(
          'scan_mismatch',
          `The scanned ${field} (${scanned}) differs from the one given (${given}).`,
          [{ field: `body:/${field}`, message: 'differs from the scanned code' }],
          { field, scanned, given },
        );
      }
    }
    lotNumber ??= parsed.lot;
    expiryDate ??= parsed.expiry;
    quantity ??= parsed.count;
  }
  return { gtin, lotNumber, expiryDate, quantity };
}

type Scanned = ReturnType<typeof parseScan>;

/**
 * Resolves what the storekeeper scanned or typed (item id, GTIN or a GS1 element string with
 * lot, expiry and count) into one ledger request in base units, with the item as read.
 */
export function resolveRequest(context: MovementContext, input: MovementInput, scanned: Scanned) {
  const { gtin, lotNumber, expiryDate, quantity } = scanned;
  if (!input.itemId && !gtin) {
    throw unprocessable('item_required', 'Give itemId, gtin or a GS1 scan.', [
      { field: 'body:/itemId', message: 'required' },
    ]);
  }
  const item = context.item;
  if (!item) {
    throw unprocessable(
      'unknown_item',
      input.itemId ? 'The item does not exist.' : `No item has GTIN ${gtin}.`,
      [
        {
          field: input.itemId ? 'body:/itemId' : input.scan ? 'body:/scan' : 'body:/gtin',
          message: 'unknown item',
        },
      ],
      // The GTIN read, so a client can offer to link it to an item (POST /v1/items/{id}/gtins).
      input.itemId ? undefined : { gtin: gtin ?? '' },
    );
  }
  if (quantity === undefined) {
    throw unprocessable('quantity_required', 'Give a quantity (or scan a code with AI 30).', [
      { field: 'body:/quantity', message: 'required' },
    ]);
  }
  const units: ItemUnits = { baseUnit: { code: item.baseUnit }, packUnits: item.packUnits };
  // Without a unit, a scanned pack counts packs: scan a box of 10, type 2, and 20 are posted.
  const base = toBaseQuantity(units, quantity, input.unit ?? item.gtinUnit ?? item.baseUnit, {
    allowNegative: input.type === 'adjustment',
  });
  return { item, base, lotNumber, expiryDate };
}

/** Parses first, but reports a bad scan only after the locations were checked (their errors come first). */
function attempt<T>(fn: () => T): { value: T } | { error: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

export async function recordMovement(deps: AppDeps, auth: AuthContext, input: MovementInput) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const scan = attempt(() => parseScan(input));
    const gtin = 'value' in scan ? scan.value.gtin : undefined;
    const locationIds = [input.locationId, ...(input.toLocationId ? [input.toLocationId] : [])];
    // The item, the locations and the time zone in one statement; postMovement reuses it. A
    // movement that takes first-expiry-first-out also locks and reads its lots in it (a refusal
    // below rolls the locks back with the transaction).
    const occurredAt = input.occurredAt ? new Date(input.occurredAt) : undefined;
    const firstExpiry =
      'value' in scan && takesFirstExpiry({ type: input.type, lotNumber: scan.value.lotNumber, occurredAt });
    const context = await loadMovementContext(
      tx,
      input.itemId ? { id: input.itemId } : gtin ? { gtin } : null,
      locationIds,
      firstExpiry ? { lockFirstExpiryAt: input.locationId } : {},
    );
    const siteId = visibleLocationSite(context, auth, input.locationId, 'locationId');
    const toSiteId = input.toLocationId
      ? visibleLocationSite(context, auth, input.toLocationId, 'toLocationId')
      : undefined;
    if ('error' in scan) throw scan.error;
    const { item, base, lotNumber, expiryDate } = resolveRequest(context, input, scan.value);
    if (input.departmentId) await visibleDepartment(tx, auth, input.departmentId);
    const receiving = await checkReceivingInput(tx, auth, input, {
      itemId: item.id,
      lotNumber,
      expiryDate,
      occurredAt,
    });
    const posted = await postMovement(tx, {
      type: input.type,
      itemId: item.id,
      locationId: input.locationId,
      toLocationId: input.toLocationId,
      quantity: base,
      lotNumber,
      expiryDate,
      acceptExpired: input.acceptExpired,
      unitCost: input.unitCost ?? (input.type === 'receipt' ? Number(item.unitCost) : undefined),
      reason: input.reason,
      reference: input.reference,
      departmentId: input.departmentId,
      costCentre: input.costCentre,
      patientRef: input.patientRef,
      ...receiving,
      source: input.scan ? 'gs1' : auth.kind === 'api_key' ? 'integration' : 'api',
      occurredAt,
      actorId: auth.userId ?? auth.apiKeyId,
      context,
    });
    const inspectionIds = input.inspection
      ? await holdForInspection(tx, posted, {
          supplierId: receiving.supplierId,
          purchaseOrderId: receiving.purchaseOrderId,
          actorId: auth.userId ?? auth.apiKeyId,
        })
      : [];
    const event = await emitEvent(tx, 'movement.created', {
      groupId: posted[0]!.groupId,
      type: input.type,
      itemId: item.id,
      siteId,
      toSiteId: toSiteId ?? null,
      movements: posted,
    });
    // The response rows are what the inserts returned, with the item and sites already read.
    const rows = posted
      .map((m) => movementRowView(writtenRow(m, item.code, context.locations.get(m.locationId)!.siteId)))
      .sort((a, b) => a.id - b.id);
    return { posted, rows, siteId, toSiteId, deliveryIds: event.deliveryIds, inspectionIds };
  });
}

/** A row this request wrote, as MOVEMENT_SELECT would read it back. */
function writtenRow(m: PostedMovement, itemCode: string, siteId: string): MovementRow {
  const c = recordedColumns(m);
  if (!c) throw new Error('a posted movement without its returned columns');
  return {
    id: m.id,
    group_id: m.groupId,
    type: m.type,
    item_id: m.itemId,
    item_code: itemCode,
    location_id: m.locationId,
    site_id: siteId,
    lot_id: m.lotId,
    lot_number: m.lotNumber,
    expiry_date: m.expiryDate,
    quantity: m.quantity,
    unit_cost: c.unitCost,
    reason: c.reason,
    reference: c.reference,
    source: c.source,
    counted: m.counted === null ? null : String(m.counted),
    occurred_at: new Date(m.occurredAt),
    recorded_at: new Date(c.recordedAt),
    actor_id: c.actorId,
    invoice_number: c.invoiceNumber,
    delivery_note_number: c.deliveryNoteNumber,
    supplier_id: c.supplierId,
    purchase_order_id: c.purchaseOrderId,
    write_off_reason: c.writeOffReason,
    owner_supplier_id: c.ownerSupplierId,
    department_id: c.departmentId,
    cost_centre: c.costCentre,
    patient_ref: c.patientRef,
    requisition_id: c.requisitionId,
  };
}

export async function getMovementGroup(deps: AppDeps, auth: AuthContext, groupId: string) {
  const rows = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<MovementRow>(sql`${MOVEMENT_SELECT} where m.group_id = ${groupId} order by m.id`),
  );
  const visible = rows.rows.filter((r) => auth.siteIds === null || auth.siteIds.includes(r.site_id));
  if (visible.length === 0) throw notFound('The movement');
  return visible.map(movementRowView);
}

export type MovementRow = {
  id: number;
  group_id: string;
  type: MovementType;
  item_id: string;
  item_code: string;
  location_id: string;
  site_id: string;
  lot_id: string | null;
  lot_number: string | null;
  expiry_date: string | null;
  quantity: number;
  unit_cost: string | null;
  reason: string | null;
  reference: string | null;
  source: string;
  counted: string | null;
  occurred_at: Date;
  recorded_at: Date;
  actor_id: string | null;
  invoice_number: string | null;
  delivery_note_number: string | null;
  supplier_id: string | null;
  purchase_order_id: string | null;
  write_off_reason: WriteOffReason | null;
  owner_supplier_id: string | null;
  /** Issues' destination (migration 0020); absent where a caller builds rows without them. */
  department_id?: string | null;
  cost_centre?: string | null;
  patient_ref?: string | null;
  requisition_id?: string | null;
};

export const MOVEMENT_SELECT = sql`
  select m.id, m.group_id, m.type, m.item_id, i.code as item_code, m.location_id, l.site_id, m.lot_id, lo.lot_number,
         to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date, m.quantity, m.unit_cost::text, m.reason, m.reference,
         m.source, m.counted::text, m.occurred_at, m.recorded_at, m.actor_id,
         m.invoice_number, m.delivery_note_number, m.supplier_id, m.purchase_order_id, m.write_off_reason, m.owner_supplier_id,
         m.department_id, m.cost_centre, m.patient_ref, m.requisition_id
    from movements m join items i on i.id = m.item_id join locations l on l.id = m.location_id
    left join lots lo on lo.id = m.lot_id`;

export function movementRowView(r: MovementRow) {
  return {
    id: Number(r.id),
    groupId: r.group_id,
    type: r.type,
    itemId: r.item_id,
    itemCode: r.item_code,
    locationId: r.location_id,
    siteId: r.site_id,
    lotNumber: r.lot_number,
    expiryDate: r.expiry_date,
    quantity: Number(r.quantity),
    unitCost: r.unit_cost === null ? null : Number(r.unit_cost),
    reason: r.reason,
    reference: r.reference,
    source: r.source,
    counted: r.counted === null ? null : Number(r.counted),
    occurredAt: new Date(r.occurred_at).toISOString(),
    recordedAt: new Date(r.recorded_at).toISOString(),
    actorId: r.actor_id,
    invoiceNumber: r.invoice_number,
    deliveryNoteNumber: r.delivery_note_number,
    supplierId: r.supplier_id,
    purchaseOrderId: r.purchase_order_id,
    writeOffReason: r.write_off_reason,
    ownerSupplierId: r.owner_supplier_id,
    departmentId: r.department_id ?? null,
    costCentre: r.cost_centre ?? null,
    patientRef: r.patient_ref ?? null,
    requisitionId: r.requisition_id ?? null,
  };
}

export interface MovementFilter {
  itemId?: string;
  locationId?: string;
  siteId?: string;
  type?: string;
  lotNumber?: string;
  from?: string;
  to?: string;
}

export async function listMovements(
  deps: AppDeps,
  auth: AuthContext,
  f: MovementFilter,
  limit: number,
  afterId?: number,
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds = [sql`true`];
  if (f.itemId) conds.push(sql`m.item_id = ${f.itemId}`);
  if (f.locationId) conds.push(sql`m.location_id = ${f.locationId}`);
  if (f.siteId) conds.push(sql`l.site_id = ${f.siteId}`);
  if (f.type) conds.push(sql`m.type = ${f.type}`);
  if (f.lotNumber !== undefined) conds.push(sql`lo.lot_number = ${f.lotNumber}`);
  if (f.from) conds.push(sql`m.occurred_at >= ${f.from}::timestamptz`);
  if (f.to) conds.push(sql`m.occurred_at < ${f.to}::timestamptz`);
  if (auth.siteIds !== null) conds.push(sql`l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  if (afterId !== undefined) conds.push(sql`m.id < ${afterId}`);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<MovementRow>(
      sql`${MOVEMENT_SELECT} where ${sql.join(conds, sql` and `)} order by m.id desc limit ${limit + 1}`,
    ),
  );
  return r.rows;
}
