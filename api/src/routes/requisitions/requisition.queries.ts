import type { Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { iso } from '../../lib/schemas.ts';

export type RequisitionStatus =
  | 'submitted'
  | 'approved'
  | 'partially_issued'
  | 'issued'
  | 'rejected'
  | 'cancelled';
export const OPEN_FOR_ISSUE: RequisitionStatus[] = ['approved', 'partially_issued'];

export type RequisitionRow = {
  id: string;
  number: string;
  status: RequisitionStatus;
  origin: 'manual' | 'fixed_pack';
  department_id: string;
  department_code: string;
  department_name: string;
  department_site_id: string;
  cost_centre: string | null;
  source_location_id: string;
  source_location_code: string;
  source_location_name: string;
  site_id: string;
  fixed_pack_id: string | null;
  fixed_pack_code: string | null;
  pack_copy: number | null;
  note: string | null;
  requested_by: string | null;
  requested_at: Date;
  approved_by: string | null;
  approved_at: Date | null;
  rejected_by: string | null;
  rejected_at: Date | null;
  reject_reason: string | null;
  cancelled_by: string | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  last_issued_by: string | null;
  last_issued_at: Date | null;
  closed_at: Date | null;
  updated_at: Date;
  line_count: number;
  quantity_requested: string;
  quantity_approved: string | null;
  quantity_issued: string;
};

export type RequisitionLineRow = {
  id: string;
  line_no: number;
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  requested_qty: string;
  approved_qty: string | null;
  issued_qty: string;
  adjust_reason: string | null;
};

export const REQUISITION_SELECT = sql`
  select r.id, r.number::text, r.status, r.origin, r.department_id, d.code as department_code, d.name as department_name,
         d.site_id as department_site_id, d.cost_centre, r.source_location_id, l.code as source_location_code,
         l.name as source_location_name, r.site_id, r.fixed_pack_id, fp.code as fixed_pack_code, r.pack_copy, r.note,
         r.requested_by, r.requested_at, r.approved_by, r.approved_at, r.rejected_by, r.rejected_at, r.reject_reason,
         r.cancelled_by, r.cancelled_at, r.cancel_reason, r.last_issued_by, r.last_issued_at, r.closed_at, r.updated_at,
         (select count(*)::int from requisition_lines x where x.requisition_id = r.id) as line_count,
         (select sum(x.requested_qty)::text from requisition_lines x where x.requisition_id = r.id) as quantity_requested,
         (select sum(x.approved_qty)::text from requisition_lines x where x.requisition_id = r.id) as quantity_approved,
         (select coalesce(sum(x.issued_qty), 0)::text from requisition_lines x where x.requisition_id = r.id) as quantity_issued
    from requisitions r join departments d on d.id = r.department_id join locations l on l.id = r.source_location_id
    left join fixed_packs fp on fp.id = r.fixed_pack_id`;

export async function requisitionLines(tx: Tx, requisitionId: string): Promise<RequisitionLineRow[]> {
  const r = await tx.execute<RequisitionLineRow>(sql`
    select x.id, x.line_no, x.item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit,
           x.requested_qty::text, x.approved_qty::text, x.issued_qty::text, x.adjust_reason
      from requisition_lines x join items i on i.id = x.item_id
     where x.requisition_id = ${requisitionId} order by x.line_no`);
  return r.rows;
}

const num = (v: string | null) => (v === null ? null : Number(v));

/** The people a requisition names (requested, approved, rejected, cancelled, last issued by). */
export const requisitionPeople = (r: RequisitionRow) => [
  r.requested_by,
  r.approved_by,
  r.rejected_by,
  r.cancelled_by,
  r.last_issued_by,
];

/** `names`: user and API-key names by id (actorNames); missing ids show no name. */
export function requisitionSummaryView(r: RequisitionRow, names: ReadonlyMap<string, string> = new Map()) {
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return {
    id: r.id,
    number: `REQ-${String(r.number).padStart(6, '0')}`,
    status: r.status,
    origin: r.origin,
    departmentId: r.department_id,
    departmentCode: r.department_code,
    departmentName: r.department_name,
    costCentre: r.cost_centre,
    sourceLocationId: r.source_location_id,
    sourceLocationCode: r.source_location_code,
    sourceLocationName: r.source_location_name,
    siteId: r.site_id,
    fixedPackId: r.fixed_pack_id,
    fixedPackCode: r.fixed_pack_code,
    packCopy: r.pack_copy,
    note: r.note,
    requestedBy: r.requested_by,
    requestedByName: nameOf(r.requested_by),
    requestedAt: iso(r.requested_at)!,
    approvedBy: r.approved_by,
    approvedByName: nameOf(r.approved_by),
    approvedAt: iso(r.approved_at),
    rejectedBy: r.rejected_by,
    rejectedByName: nameOf(r.rejected_by),
    rejectedAt: iso(r.rejected_at),
    rejectReason: r.reject_reason,
    cancelledBy: r.cancelled_by,
    cancelledByName: nameOf(r.cancelled_by),
    cancelledAt: iso(r.cancelled_at),
    cancelReason: r.cancel_reason,
    lastIssuedBy: r.last_issued_by,
    lastIssuedByName: nameOf(r.last_issued_by),
    lastIssuedAt: iso(r.last_issued_at),
    closedAt: iso(r.closed_at),
    updatedAt: iso(r.updated_at)!,
    lineCount: r.line_count,
    quantityRequested: Number(r.quantity_requested ?? 0),
    quantityApproved: num(r.quantity_approved),
    quantityIssued: Number(r.quantity_issued),
  };
}

export function requisitionLineView(x: RequisitionLineRow) {
  const approved = num(x.approved_qty);
  const issued = Number(x.issued_qty);
  return {
    id: x.id,
    lineNo: x.line_no,
    itemId: x.item_id,
    itemCode: x.item_code,
    nameZh: x.name_zh,
    nameEn: x.name_en,
    baseUnit: x.base_unit,
    requested: Number(x.requested_qty),
    approved,
    issued,
    remaining: approved === null ? null : approved - issued,
    adjustReason: x.adjust_reason,
  };
}
