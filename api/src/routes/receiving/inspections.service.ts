import { emitEvent, LedgerError, type PostedMovement, type Tx, withTenantDb } from '@medstock/db';
import {
  lockPendingInspection,
  rejectInspection,
  releaseInspection,
} from '@medstock/db/ledger/inspection.ts';
import type { WriteOffReason } from '@medstock/db/ledger/post-movement.ts';
import { DEFAULT_SHORT_DATED_DAYS } from '@medstock/db/ledger/receiving-checks.ts';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { notFound } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { assertSupplier } from './receiving-input.ts';

export type InspectionStatus = 'pending' | 'released' | 'rejected';

type InspectionListRow = {
  id: string;
  group_id: string;
  status: InspectionStatus;
  item_id: string;
  item_code: string;
  item_name_zh: string;
  item_name_en: string;
  base_unit: string;
  location_id: string;
  location_name: string;
  site_id: string;
  lot_number: string;
  expiry_date: string | null;
  quantity: string;
  supplier_id: string | null;
  supplier_name: string | null;
  purchase_order_id: string | null;
  purchase_order_number: string | null;
  invoice_number: string | null;
  delivery_note_number: string | null;
  received_by: string | null;
  received_by_name: string | null;
  received_at: Date;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  disposal_group_id: string | null;
};

// Who received and who decided, by name: a page shows people, not ids.
const SELECT = sql`
  select n.id, n.group_id, n.status, n.item_id, i.code as item_code, i.name_zh as item_name_zh, i.name_en as item_name_en,
         i.base_unit, n.location_id, l.name as location_name, l.site_id, lo.lot_number,
         to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date, n.quantity::text, n.supplier_id, su.name as supplier_name,
         n.purchase_order_id, po.number as purchase_order_number,
         (select m.invoice_number from movements m where m.group_id = n.group_id limit 1) as invoice_number,
         (select m.delivery_note_number from movements m where m.group_id = n.group_id limit 1) as delivery_note_number,
         n.received_by, ru.name as received_by_name, n.received_at, n.decided_by, du.name as decided_by_name,
         n.decided_at, n.decision_reason, n.disposal_group_id
    from inspections n
    join items i on i.id = n.item_id
    join locations l on l.id = n.location_id
    join lots lo on lo.id = n.lot_id
    left join suppliers su on su.id = n.supplier_id
    left join purchase_orders po on po.id = n.purchase_order_id
    left join control.users ru on ru.id = n.received_by
    left join control.users du on du.id = n.decided_by`;

export function inspectionView(r: InspectionListRow) {
  return {
    id: r.id,
    groupId: r.group_id,
    status: r.status,
    itemId: r.item_id,
    itemCode: r.item_code,
    itemNameZh: r.item_name_zh,
    itemNameEn: r.item_name_en,
    baseUnit: r.base_unit,
    locationId: r.location_id,
    locationName: r.location_name,
    siteId: r.site_id,
    lotNumber: r.lot_number,
    expiryDate: r.expiry_date,
    quantity: Number(r.quantity),
    supplierId: r.supplier_id,
    supplierName: r.supplier_name,
    purchaseOrderId: r.purchase_order_id,
    purchaseOrderNumber: r.purchase_order_number,
    invoiceNumber: r.invoice_number,
    deliveryNoteNumber: r.delivery_note_number,
    receivedBy: r.received_by,
    receivedByName: r.received_by_name,
    receivedAt: new Date(r.received_at).toISOString(),
    decidedBy: r.decided_by,
    decidedByName: r.decided_by_name,
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
    decisionReason: r.decision_reason,
    disposalGroupId: r.disposal_group_id,
  };
}

export async function listInspections(
  deps: AppDeps,
  auth: AuthContext,
  f: { status?: InspectionStatus; siteId?: string; limit: number },
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds = [sql`true`];
  if (f.status) conds.push(sql`n.status = ${f.status}`);
  if (f.siteId) conds.push(sql`l.site_id = ${f.siteId}`);
  if (auth.siteIds !== null) conds.push(sql`l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<InspectionListRow>(
      sql`${SELECT} where ${sql.join(conds, sql` and `)} order by n.received_at desc, n.id limit ${f.limit}`,
    ),
  );
  return r.rows.map(inspectionView);
}

export interface InspectionDecision {
  decision: 'release' | 'reject';
  reason?: string;
  disposition?: 'return' | 'write_off';
  supplierId?: string;
  writeOffReason?: WriteOffReason;
}

/**
 * Releases or rejects one pending inspection under its row lock (a second decision gets 409
 * inspection_decided), emits inspection.released / inspection.rejected, and returns it as read
 * afterwards with the disposal movement's rows.
 */
export async function decideInspection(deps: AppDeps, auth: AuthContext, id: string, d: InspectionDecision) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const n = await lockPendingInspectionVisible(tx, auth, id);
    const actorId = auth.userId ?? auth.apiKeyId;
    let posted: PostedMovement[] = [];
    if (d.decision === 'release') {
      await releaseInspection(tx, n, actorId, d.reason?.trim() || undefined);
    } else {
      if (!d.reason?.trim())
        throw new LedgerError('reason_required', 'Rejecting a receipt needs a reason.', 422, 'reason');
      if (d.supplierId) await assertSupplier(tx, d.supplierId);
      posted = await rejectInspection(tx, n, {
        disposition: d.disposition ?? 'return',
        reason: d.reason.trim(),
        supplierId: d.supplierId,
        writeOffReason: d.writeOffReason,
        actorId,
      });
    }
    const row = (await tx.execute<InspectionListRow>(sql`${SELECT} where n.id = ${id}`)).rows[0]!;
    const view = inspectionView(row);
    const deliveryIds: string[] = [];
    if (posted.length)
      deliveryIds.push(
        ...(
          await emitEvent(tx, 'movement.created', {
            groupId: posted[0]!.groupId,
            type: posted[0]!.type,
            itemId: n.item_id,
            siteId: row.site_id,
            toSiteId: null,
            inspectionId: n.id,
            movements: posted,
          })
        ).deliveryIds,
      );
    const ev = await emitEvent(tx, d.decision === 'release' ? 'inspection.released' : 'inspection.rejected', {
      inspection: view,
      movements: posted,
    });
    deliveryIds.push(...ev.deliveryIds);
    return { inspection: view, posted, siteId: row.site_id, deliveryIds };
  });
}

async function lockPendingInspectionVisible(tx: Tx, auth: AuthContext, id: string) {
  const site = await tx.execute<{ site_id: string }>(sql`
    select l.site_id from inspections n join locations l on l.id = n.location_id where n.id = ${id}`);
  if (!site.rows[0]) throw notFound('The inspection');
  assertSiteVisible(auth, site.rows[0].site_id, 'The inspection');
  const n = await lockPendingInspection(tx, id);
  if (!n) throw notFound('The inspection');
  return n;
}

export async function getReceivingSettings(deps: AppDeps, auth: AuthContext) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const r = await tx.execute<{ short_dated_days: number; updated_by: string | null; updated_at: Date }>(
      sql`select short_dated_days, updated_by, updated_at from receiving_settings`,
    );
    const row = r.rows[0];
    return {
      shortDatedDays: row?.short_dated_days ?? DEFAULT_SHORT_DATED_DAYS,
      updatedBy: row?.updated_by ?? null,
      updatedAt: row ? new Date(row.updated_at).toISOString() : null,
    };
  });
}

export async function putReceivingSettings(deps: AppDeps, auth: AuthContext, shortDatedDays: number) {
  await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute(sql`
      insert into receiving_settings (singleton, short_dated_days, updated_by, updated_at)
      values (true, ${shortDatedDays}, ${auth.userId ?? auth.apiKeyId}::uuid, now())
      on conflict (singleton) do update set short_dated_days = excluded.short_dated_days,
        updated_by = excluded.updated_by, updated_at = now()`),
  );
  return getReceivingSettings(deps, auth);
}
