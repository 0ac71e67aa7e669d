import { emitEvent, type Tx, withTenantDb } from '@medstock/db';
import { holdRecalledLot, releaseRecallHold } from '@medstock/db/ledger/recall-hold.ts';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { conflict, notFound, unprocessable } from '../../lib/problem.ts';
import { iso } from '../../lib/schemas.ts';
import { type AuthContext, assertAllSites } from '../../plugins/access.ts';
import { actorNames } from '../purchase-orders/purchase-order-history.ts';
import { assertStoreRole } from '../requisitions/requisition.service.ts';

const actorOf = (auth: AuthContext) => auth.userId ?? auth.apiKeyId;

type RecallRow = {
  id: string;
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  lot_id: string;
  lot_number: string;
  expiry_date: string | null;
  supplier_id: string | null;
  supplier_reference: string | null;
  reason: string;
  status: 'open' | 'released';
  opened_by: string | null;
  opened_at: Date;
  released_by: string | null;
  released_at: Date | null;
  release_reason: string | null;
  held_units: string;
};

/** Rows at the caller's sites only (a site-limited reader traces within their sites). */
const siteLimit = (auth: AuthContext, column: SQL) =>
  auth.siteIds === null ? sql`true` : sql`${column} = any(${sql.param([...auth.siteIds])}::uuid[])`;

/** Held units count at the caller's sites only. */
const recallSelect = (auth: AuthContext) => sql`
  select r.id, r.item_id, i.code as item_code, i.name_zh, i.name_en, r.lot_id, lo.lot_number,
         to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date, r.supplier_id, r.supplier_reference, r.reason, r.status,
         r.opened_by, r.opened_at, r.released_by, r.released_at, r.release_reason,
         (select coalesce(sum(least(s.quarantined, s.on_hand)), 0)::text from stock s join locations sl on sl.id = s.location_id
           where s.lot_id = r.lot_id and ${siteLimit(auth, sql`sl.site_id`)}) as held_units
    from recalls r join items i on i.id = r.item_id join lots lo on lo.id = r.lot_id`;

const recallView = (r: RecallRow, names: ReadonlyMap<string, string> = new Map()) => ({
  id: r.id,
  itemId: r.item_id,
  itemCode: r.item_code,
  nameZh: r.name_zh,
  nameEn: r.name_en,
  lotNumber: r.lot_number,
  expiryDate: r.expiry_date,
  supplierId: r.supplier_id,
  supplierReference: r.supplier_reference,
  reason: r.reason,
  status: r.status,
  openedBy: r.opened_by,
  openedByName: r.opened_by ? (names.get(r.opened_by) ?? null) : null,
  openedAt: iso(r.opened_at)!,
  releasedBy: r.released_by,
  releasedByName: r.released_by ? (names.get(r.released_by) ?? null) : null,
  releasedAt: iso(r.released_at),
  releaseReason: r.release_reason,
  heldUnits: Number(r.held_units),
});

/**
 * Where a lot is and where it went: stock per location now (with what is on hold), every issue to
 * a department or cost centre, every patient it was issued for, every procedure that consumed it,
 * and where it came from (receipts). From the ledger, so nothing is missed that was recorded.
 */
async function trace(tx: Tx, auth: AuthContext, lotId: string) {
  const where = await tx.execute<{
    site_id: string;
    location_id: string;
    location_code: string;
    location_name: string;
    on_hand: string;
    held: string;
  }>(sql`
    select l.site_id, s.location_id, l.code as location_code, l.name as location_name, s.on_hand::text,
           least(s.quarantined, s.on_hand)::text as held
      from stock s join locations l on l.id = s.location_id
     where s.lot_id = ${lotId} and s.on_hand > 0 and ${siteLimit(auth, sql`l.site_id`)}
     order by l.site_id, l.code`);
  const departments = await tx.execute<{
    department_id: string | null;
    department_code: string | null;
    department_name: string | null;
    cost_centre: string | null;
    quantity: string;
    first_at: Date;
    last_at: Date;
  }>(sql`
    select m.department_id, d.code as department_code, d.name as department_name, m.cost_centre,
           (-sum(m.quantity))::text as quantity, min(m.occurred_at) as first_at, max(m.occurred_at) as last_at
      from movements m join locations l on l.id = m.location_id left join departments d on d.id = m.department_id
     where m.lot_id = ${lotId} and m.type = 'issue' and (m.department_id is not null or m.cost_centre is not null)
       and ${siteLimit(auth, sql`l.site_id`)}
     group by m.department_id, d.code, d.name, m.cost_centre
     order by min(m.occurred_at)`);
  const patients = await tx.execute<{
    patient_ref: string;
    department_name: string | null;
    location_id: string;
    quantity: string;
    occurred_at: Date;
    group_id: string;
  }>(sql`
    select m.patient_ref, d.name as department_name, m.location_id, (-m.quantity)::text as quantity, m.occurred_at, m.group_id
      from movements m join locations l on l.id = m.location_id left join departments d on d.id = m.department_id
     where m.lot_id = ${lotId} and m.type = 'issue' and m.patient_ref is not null and ${siteLimit(auth, sql`l.site_id`)}
     order by m.occurred_at`);
  const procedures = await tx.execute<{
    scheduled_procedure_id: string;
    procedure_code: string;
    name_zh: string;
    name_en: string;
    scheduled_for: string;
    external_ref: string | null;
    location_id: string;
    quantity: string;
    occurred_at: Date;
  }>(sql`
    select m.scheduled_procedure_id, pt.code as procedure_code, pt.name_zh, pt.name_en,
           to_char(sp.scheduled_for, 'YYYY-MM-DD') as scheduled_for, sp.external_ref, m.location_id,
           (-sum(m.quantity))::text as quantity, max(m.occurred_at) as occurred_at
      from movements m join locations l on l.id = m.location_id
      join scheduled_procedures sp on sp.id = m.scheduled_procedure_id join procedure_types pt on pt.id = sp.procedure_type_id
     where m.lot_id = ${lotId} and m.type = 'issue' and ${siteLimit(auth, sql`l.site_id`)}
     group by m.scheduled_procedure_id, pt.code, pt.name_zh, pt.name_en, sp.scheduled_for, sp.external_ref, m.location_id
     order by max(m.occurred_at)`);
  const receipts = await tx.execute<{
    location_id: string;
    quantity: string;
    occurred_at: Date;
    group_id: string;
  }>(sql`
    select m.location_id, m.quantity::text, m.occurred_at, m.group_id
      from movements m join locations l on l.id = m.location_id
     where m.lot_id = ${lotId} and m.type = 'receipt' and ${siteLimit(auth, sql`l.site_id`)}
     order by m.occurred_at`);
  const locations = where.rows.map((w) => ({
    siteId: w.site_id,
    locationId: w.location_id,
    locationCode: w.location_code,
    locationName: w.location_name,
    onHand: Number(w.on_hand),
    held: Number(w.held),
  }));
  return {
    onHand: locations.reduce((s, l) => s + l.onHand, 0),
    held: locations.reduce((s, l) => s + l.held, 0),
    locations,
    departments: departments.rows.map((d) => ({
      departmentId: d.department_id,
      departmentCode: d.department_code,
      departmentName: d.department_name,
      costCentre: d.cost_centre,
      quantity: Number(d.quantity),
      firstIssuedAt: iso(d.first_at)!,
      lastIssuedAt: iso(d.last_at)!,
    })),
    patients: patients.rows.map((p) => ({
      patientRef: p.patient_ref,
      departmentName: p.department_name,
      locationId: p.location_id,
      quantity: Number(p.quantity),
      issuedAt: iso(p.occurred_at)!,
      groupId: p.group_id,
    })),
    procedures: procedures.rows.map((p) => ({
      scheduledProcedureId: p.scheduled_procedure_id,
      procedureCode: p.procedure_code,
      nameZh: p.name_zh,
      nameEn: p.name_en,
      scheduledFor: p.scheduled_for,
      externalRef: p.external_ref,
      locationId: p.location_id,
      quantity: Number(p.quantity),
      consumedAt: iso(p.occurred_at)!,
    })),
    receipts: receipts.rows.map((r) => ({
      locationId: r.location_id,
      quantity: Number(r.quantity),
      receivedAt: iso(r.occurred_at)!,
      groupId: r.group_id,
    })),
  };
}

async function findLot(tx: Tx, itemId: string, lotNumber: string) {
  const r = await tx.execute<{ id: string }>(
    sql`select id from lots where item_id = ${itemId} and lot_number = ${lotNumber}`,
  );
  if (!r.rows[0])
    throw unprocessable(
      'unknown_lot',
      `Lot ${lotNumber} of this item was never received.`,
      [{ field: 'body:/lotNumber', message: 'unknown lot' }],
      { lot: lotNumber },
    );
  return r.rows[0].id;
}

export async function traceLot(deps: AppDeps, auth: AuthContext, itemId: string, lotNumber: string) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const item = await tx.execute(sql`select 1 from items where id = ${itemId}`);
    if (!item.rowCount) throw notFound('The item');
    const r = await tx.execute<{ id: string }>(
      sql`select id from lots where item_id = ${itemId} and lot_number = ${lotNumber}`,
    );
    if (!r.rows[0]) throw notFound('The lot');
    const recall = await tx.execute<RecallRow>(
      sql`${recallSelect(auth)} where r.lot_id = ${r.rows[0].id} order by r.opened_at desc limit 1`,
    );
    return {
      itemId,
      lotNumber,
      recall: recall.rows[0] ? recallView(recall.rows[0]) : null,
      ...(await trace(tx, auth, r.rows[0].id)),
    };
  });
}

async function recallDetail(tx: Tx, auth: AuthContext, id: string) {
  const r = await tx.execute<RecallRow>(sql`${recallSelect(auth)} where r.id = ${id}`);
  if (!r.rows[0]) throw notFound('The recall');
  const names = await actorNames(tx, [r.rows[0].opened_by, r.rows[0].released_by]);
  return { ...recallView(r.rows[0], names), trace: await trace(tx, auth, r.rows[0].lot_id) };
}

export type RecallDetail = Awaited<ReturnType<typeof recallDetail>>;

export async function listRecalls(deps: AppDeps, auth: AuthContext, f: { status?: 'open' | 'released' }) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const r = await tx.execute<RecallRow>(
      sql`${recallSelect(auth)} where ${f.status ? sql`r.status = ${f.status}` : sql`true`} order by r.opened_at desc limit 500`,
    );
    const names = await actorNames(
      tx,
      r.rows.flatMap((x) => [x.opened_by, x.released_by]),
    );
    return { items: r.rows.map((x) => recallView(x, names)) };
  });
}

export async function getRecall(deps: AppDeps, auth: AuthContext, id: string) {
  return withTenantDb(deps.database.db, auth, (tx) => recallDetail(tx, auth, id));
}

export interface RecallInput {
  itemId: string;
  lotNumber: string;
  reason: string;
  supplierId?: string;
  supplierReference?: string;
}

/**
 * A supplier recalls a lot: one action holds every unit of it at every site (quarantine, see
 * db recall-hold.ts) until the recall is released. Its reach is every site, so only a caller
 * with every site opens or releases one.
 */
export async function openRecall(deps: AppDeps, auth: AuthContext, input: RecallInput) {
  assertStoreRole(auth);
  assertAllSites(
    auth,
    'A recall quarantines the lot at every site; only a user or key with every site may open one.',
  );
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const item = await tx.execute(sql`select 1 from items where id = ${input.itemId}`);
    if (!item.rowCount)
      throw unprocessable('unknown_item', 'The item does not exist.', [
        { field: 'body:/itemId', message: 'unknown item' },
      ]);
    if (input.supplierId) {
      const s = await tx.execute(sql`select 1 from suppliers where id = ${input.supplierId}`);
      if (!s.rowCount)
        throw unprocessable('unknown_supplier', 'The supplier does not exist.', [
          { field: 'body:/supplierId', message: 'unknown supplier' },
        ]);
    }
    const lotId = await findLot(tx, input.itemId, input.lotNumber);
    await tx.execute(sql`select 1 from lots where id = ${lotId} for update`);
    const open = await tx.execute(sql`select 1 from recalls where lot_id = ${lotId} and status = 'open'`);
    if (open.rowCount)
      throw conflict('recall_already_open', `Lot ${input.lotNumber} is already recalled.`, {
        lot: input.lotNumber,
      });
    const r = await tx.execute<{ id: string }>(sql`
      insert into recalls (item_id, lot_id, supplier_id, supplier_reference, reason, opened_by)
      values (${input.itemId}, ${lotId}, ${input.supplierId ?? null}, ${input.supplierReference ?? null},
              ${input.reason}, ${actorOf(auth)}::uuid)
      returning id`);
    const id = r.rows[0]!.id;
    await holdRecalledLot(tx, lotId);
    const recall = await recallDetail(tx, auth, id);
    const ev = await emitEvent(tx, 'recall.opened', {
      recallId: id,
      itemId: recall.itemId,
      lotNumber: recall.lotNumber,
      reason: recall.reason,
      supplierId: recall.supplierId,
      supplierReference: recall.supplierReference,
      heldUnits: recall.heldUnits,
      locations: recall.trace.locations.map((l) => ({ locationId: l.locationId, onHand: l.onHand })),
      departments: recall.trace.departments.map((d) => d.departmentId).filter((d) => d !== null),
      patients: recall.trace.patients.length,
    });
    return { recall, deliveryIds: ev.deliveryIds };
  });
}

export async function releaseRecall(deps: AppDeps, auth: AuthContext, id: string, reason: string) {
  assertStoreRole(auth);
  assertAllSites(
    auth,
    'Releasing a recall lifts the quarantine at every site; only a user or key with every site may do it.',
  );
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const r = await tx.execute<{ status: string }>(
      sql`select status from recalls where id = ${id} for update`,
    );
    if (!r.rows[0]) throw notFound('The recall');
    if (r.rows[0].status !== 'open') throw conflict('recall_not_open', 'This recall was released already.');
    // Released first, so the stock trigger no longer holds the lot while its hold is given back.
    await tx.execute(sql`
      update recalls set status = 'released', released_by = ${actorOf(auth)}::uuid, released_at = now(),
             release_reason = ${reason}
       where id = ${id}`);
    await releaseRecallHold(tx, id);
    const recall = await recallDetail(tx, auth, id);
    const ev = await emitEvent(tx, 'recall.released', {
      recallId: id,
      itemId: recall.itemId,
      lotNumber: recall.lotNumber,
      reason,
      heldUnits: recall.heldUnits,
    });
    return { recall, deliveryIds: ev.deliveryIds };
  });
}
