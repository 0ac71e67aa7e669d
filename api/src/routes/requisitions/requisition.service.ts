import { packLabel, parsePackLabel, pickFirstExpiry, toBaseQuantity } from '@medstock/core';
import {
  emitEvent,
  LedgerError,
  organizationToday,
  type PostedMovement,
  postMovement,
  type Tx,
  withTenantDb,
} from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import {
  conflict,
  forbidden,
  lineLedgerProblem,
  notFound,
  ProblemError,
  unprocessable,
} from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { visibleDepartment } from '../departments/departments.service.ts';
import { itemUnitsOf, loadItemRow } from '../items/item.queries.ts';
import { actorNames } from '../purchase-orders/purchase-order-history.ts';
import {
  OPEN_FOR_ISSUE,
  REQUISITION_SELECT,
  type RequisitionRow,
  type RequisitionStatus,
  requisitionLines,
  requisitionLineView,
  requisitionPeople,
  requisitionSummaryView,
} from './requisition.queries.ts';

const actorOf = (auth: AuthContext) => auth.userId ?? auth.apiKeyId;

/**
 * A ward nurse asks for stock; the store (storekeeper, admin, owner, or an integration's key with
 * stock:write) approves, picks and issues it. Both hold stock:write, so the role decides here.
 */
export function assertStoreRole(auth: AuthContext): void {
  if (auth.kind === 'user' && auth.role === 'nurse')
    throw forbidden('A ward nurse requests stock; the store approves and issues it.', 'store_only');
}

/** A location the caller may see and that is active (the store a requisition is filled from). */
export async function visibleStore(tx: Tx, auth: AuthContext, locationId: string, field: string) {
  const r = await tx.execute<{ site_id: string; active: boolean }>(
    sql`select site_id, active from locations where id = ${locationId}`,
  );
  const l = r.rows[0];
  if (!l?.active)
    throw unprocessable('unknown_location', 'The location does not exist or is inactive.', [
      { field, message: 'unknown location' },
    ]);
  assertSiteVisible(auth, l.site_id, 'The location');
  return l.site_id;
}

async function loadRequisition(
  tx: Tx,
  auth: AuthContext,
  id: string,
  forUpdate = false,
): Promise<RequisitionRow> {
  if (forUpdate) await tx.execute(sql`select 1 from requisitions where id = ${id} for update`);
  const r = await tx.execute<RequisitionRow>(sql`${REQUISITION_SELECT} where r.id = ${id}`);
  const row = r.rows[0];
  if (!row) throw notFound('The requisition');
  assertSiteVisible(auth, row.site_id, 'The requisition');
  assertSiteVisible(auth, row.department_site_id, 'The requisition');
  return row;
}

async function detail(tx: Tx, auth: AuthContext, id: string) {
  const row = await loadRequisition(tx, auth, id);
  const lines = await requisitionLines(tx, id);
  const issues = await tx.execute<{ group_id: string; issued_by: string | null; issued_at: Date }>(
    sql`select group_id, issued_by, issued_at from requisition_issues where requisition_id = ${id} order by issued_at, id`,
  );
  const names = await actorNames(tx, [...requisitionPeople(row), ...issues.rows.map((i) => i.issued_by)]);
  return {
    ...requisitionSummaryView(row, names),
    lines: lines.map(requisitionLineView),
    issues: issues.rows.map((i) => ({
      groupId: i.group_id,
      issuedBy: i.issued_by,
      issuedByName: i.issued_by ? (names.get(i.issued_by) ?? null) : null,
      issuedAt: new Date(i.issued_at).toISOString(),
    })),
  };
}

export type RequisitionDetail = Awaited<ReturnType<typeof detail>>;

function assertStatus(row: RequisitionRow, allowed: RequisitionStatus[], action: string) {
  if (!allowed.includes(row.status))
    throw conflict('requisition_status', `This requisition is ${row.status}; it cannot be ${action} now.`, {
      requisitionStatus: row.status,
      requisitionAction: action,
    });
}

/** The event every requisition change writes: what an integrator needs to route it. */
async function emitRequisitionEvent(
  tx: Tx,
  type: 'requisition.submitted' | 'requisition.approved' | 'requisition.rejected' | 'requisition.issued',
  d: RequisitionDetail,
  extra: Record<string, unknown> = {},
) {
  return emitEvent(tx, type, {
    requisitionId: d.id,
    number: d.number,
    status: d.status,
    siteId: d.siteId,
    locationId: d.sourceLocationId,
    departmentId: d.departmentId,
    costCentre: d.costCentre,
    lines: d.lines.map((l) => ({
      lineId: l.id,
      itemId: l.itemId,
      requested: l.requested,
      approved: l.approved,
      issued: l.issued,
    })),
    ...extra,
  });
}

export async function listRequisitions(
  deps: AppDeps,
  auth: AuthContext,
  f: { status?: RequisitionStatus | 'open'; departmentId?: string; siteId?: string },
  limit: number,
  cursor?: string,
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const after = decodeCursor(cursor, ['int']);
  const conds: SQL[] = [sql`true`];
  if (f.status === 'open') conds.push(sql`r.status in ('submitted', 'approved', 'partially_issued')`);
  else if (f.status) conds.push(sql`r.status = ${f.status}`);
  if (f.departmentId) conds.push(sql`r.department_id = ${f.departmentId}`);
  if (f.siteId) conds.push(sql`(r.site_id = ${f.siteId} or d.site_id = ${f.siteId})`);
  if (auth.siteIds !== null) {
    const mine = sql.param([...auth.siteIds]);
    conds.push(sql`r.site_id = any(${mine}::uuid[]) and d.site_id = any(${mine}::uuid[])`);
  }
  if (after) conds.push(sql`r.number < ${after[0]}`);
  const { rows, names } = await withTenantDb(deps.database.db, auth, async (tx) => {
    const r = await tx.execute<RequisitionRow>(
      sql`${REQUISITION_SELECT} where ${sql.join(conds, sql` and `)} order by r.number desc limit ${limit + 1}`,
    );
    return { rows: r.rows, names: await actorNames(tx, r.rows.flatMap(requisitionPeople)) };
  });
  const page = paginate(rows, limit, (x) => [Number(x.number)]);
  return { items: page.items.map((x) => requisitionSummaryView(x, names)), nextCursor: page.nextCursor };
}

export async function getRequisition(deps: AppDeps, auth: AuthContext, id: string) {
  return withTenantDb(deps.database.db, auth, (tx) => detail(tx, auth, id));
}

export interface RequisitionInput {
  departmentId: string;
  sourceLocationId: string;
  note?: string;
  lines: { itemId: string; quantity: number; unit?: string }[];
}

/** Outcome of a change: the requisition as it is now and the webhook deliveries to hand over. */
export interface RequisitionOutcome {
  requisition: RequisitionDetail;
  deliveryIds: string[];
  posted: PostedMovement[];
  created?: boolean;
}

async function insertRequisition(
  tx: Tx,
  auth: AuthContext,
  input: RequisitionInput & { fixedPackId?: string; packCopy?: number },
): Promise<string> {
  const dept = await visibleDepartment(tx, auth, input.departmentId);
  if (!dept.active)
    throw unprocessable('unknown_department', 'The department does not exist or is inactive.', [
      { field: 'body:/departmentId', message: 'inactive department' },
    ]);
  const siteId = await visibleStore(tx, auth, input.sourceLocationId, 'body:/sourceLocationId');
  const seen = new Set<string>();
  const lines: { itemId: string; qty: number }[] = [];
  for (const [i, line] of input.lines.entries()) {
    if (seen.has(line.itemId))
      throw unprocessable('duplicate_item', 'Each item appears on one line only.', [
        { field: `body:/lines/${i}/itemId`, message: 'item already on another line' },
      ]);
    seen.add(line.itemId);
    const item = await loadItemRow(tx, line.itemId).catch(() => {
      throw unprocessable('unknown_item', 'The item does not exist.', [
        { field: `body:/lines/${i}/itemId`, message: 'unknown item' },
      ]);
    });
    const qty = toBaseQuantity(itemUnitsOf(item), line.quantity, line.unit ?? item.base_unit);
    if (qty <= 0)
      throw unprocessable('invalid_quantity', 'A requested quantity must be positive.', [
        { field: `body:/lines/${i}/quantity`, message: 'must be positive' },
      ]);
    lines.push({ itemId: line.itemId, qty });
  }
  const origin = input.fixedPackId ? 'fixed_pack' : 'manual';
  const r = await tx.execute<{ id: string }>(sql`
    insert into requisitions (department_id, source_location_id, site_id, origin, fixed_pack_id, pack_copy, note, requested_by)
    values (${input.departmentId}, ${input.sourceLocationId}, ${siteId}, ${origin}, ${input.fixedPackId ?? null},
            ${input.packCopy ?? null}, ${input.note ?? null}, ${actorOf(auth)}::uuid)
    returning id`);
  const id = r.rows[0]!.id;
  await tx.execute(sql`
    insert into requisition_lines (requisition_id, line_no, item_id, requested_qty)
    select ${id}, n, item_id, qty from unnest(${sql.param(lines.map((l) => l.itemId))}::uuid[],
                                               ${sql.param(lines.map((l) => l.qty))}::bigint[])
                                        with ordinality as t(item_id, qty, n)`);
  return id;
}

export async function createRequisition(
  deps: AppDeps,
  auth: AuthContext,
  input: RequisitionInput,
): Promise<RequisitionOutcome> {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const id = await insertRequisition(tx, auth, input);
    const requisition = await detail(tx, auth, id);
    const ev = await emitRequisitionEvent(tx, 'requisition.submitted', requisition);
    return { requisition, deliveryIds: ev.deliveryIds, posted: [] };
  });
}

export interface ApproveInput {
  lines?: { lineId: string; quantity: number; unit?: string; reason?: string }[];
  note?: string;
}

/**
 * The store approves what was asked (lines not named keep their requested quantity) or adjusts
 * lines — down to 0 for an item it will not give — each adjustment with an optional reason.
 */
export async function approveRequisition(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  input: ApproveInput,
): Promise<RequisitionOutcome> {
  assertStoreRole(auth);
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const row = await loadRequisition(tx, auth, id, true);
    assertStatus(row, ['submitted'], 'approved');
    const lines = await requisitionLines(tx, id);
    const byId = new Map(lines.map((l) => [l.id, l]));
    const approved = new Map(
      lines.map((l) => [l.id, { qty: Number(l.requested_qty), reason: null as string | null }]),
    );
    for (const [i, a] of (input.lines ?? []).entries()) {
      const line = byId.get(a.lineId);
      if (!line)
        throw unprocessable('unknown_requisition_line', 'The line is not on this requisition.', [
          { field: `body:/lines/${i}/lineId`, message: 'not a line of this requisition' },
        ]);
      const item = await loadItemRow(tx, line.item_id);
      const qty = toBaseQuantity(itemUnitsOf(item), a.quantity, a.unit ?? item.base_unit);
      approved.set(a.lineId, { qty, reason: a.reason ?? null });
    }
    if ([...approved.values()].every((a) => a.qty === 0))
      throw unprocessable(
        'nothing_approved',
        'Every line would be approved with 0; reject the requisition instead, with a reason.',
        [{ field: 'body:/lines', message: 'nothing approved' }],
      );
    const ids = [...approved.keys()];
    await tx.execute(sql`
      update requisition_lines x set approved_qty = t.qty, adjust_reason = t.reason
        from unnest(${sql.param(ids)}::uuid[], ${sql.param(ids.map((k) => approved.get(k)!.qty))}::bigint[],
                    ${sql.param(ids.map((k) => approved.get(k)!.reason))}::text[]) as t(id, qty, reason)
       where x.id = t.id`);
    await tx.execute(sql`
      update requisitions set status = 'approved', approved_by = ${actorOf(auth)}::uuid, approved_at = now(),
             note = coalesce(${input.note ?? null}, note), updated_at = now()
       where id = ${id}`);
    const requisition = await detail(tx, auth, id);
    const ev = await emitRequisitionEvent(tx, 'requisition.approved', requisition);
    return { requisition, deliveryIds: ev.deliveryIds, posted: [] };
  });
}

export async function rejectRequisition(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  reason: string,
): Promise<RequisitionOutcome> {
  assertStoreRole(auth);
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const row = await loadRequisition(tx, auth, id, true);
    assertStatus(row, ['submitted'], 'rejected');
    await tx.execute(sql`
      update requisitions set status = 'rejected', rejected_by = ${actorOf(auth)}::uuid, rejected_at = now(),
             reject_reason = ${reason}, closed_at = now(), updated_at = now()
       where id = ${id}`);
    const requisition = await detail(tx, auth, id);
    const ev = await emitRequisitionEvent(tx, 'requisition.rejected', requisition, { reason });
    return { requisition, deliveryIds: ev.deliveryIds, posted: [] };
  });
}

/**
 * Withdraws a requisition (the ward no longer needs it) or closes what is left of a partially
 * issued one; what was issued stays issued.
 */
export async function cancelRequisition(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  reason: string,
): Promise<RequisitionOutcome> {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const row = await loadRequisition(tx, auth, id, true);
    assertStatus(row, ['submitted', 'approved', 'partially_issued'], 'cancelled');
    await tx.execute(sql`
      update requisitions set status = 'cancelled', cancelled_by = ${actorOf(auth)}::uuid, cancelled_at = now(),
             cancel_reason = ${reason}, closed_at = now(), updated_at = now()
       where id = ${id}`);
    return { requisition: await detail(tx, auth, id), deliveryIds: [], posted: [] };
  });
}

type StockLotRow = { lot_number: string; expiry_date: string | null; on_hand: string; held: string };

/**
 * What to take from the store for each open line, first expiry first out (core pickFirstExpiry,
 * the same choice an issue without a named lot makes): lots, quantities and what is short.
 * Expired and quarantined units are never on it; it reserves nothing.
 */
export async function pickList(deps: AppDeps, auth: AuthContext, id: string) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const row = await loadRequisition(tx, auth, id);
    assertStatus(row, OPEN_FOR_ISSUE, 'picked');
    const today = await organizationToday(tx);
    const lines = (await requisitionLines(tx, id)).map(requisitionLineView);
    const out = [];
    for (const line of lines) {
      const remaining = line.remaining ?? 0;
      const lots = await tx.execute<StockLotRow>(sql`
        select lo.lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date, s.on_hand::text,
               least(s.quarantined, s.on_hand)::text as held
          from stock s join lots lo on lo.id = s.lot_id
         where s.location_id = ${row.source_location_id} and s.item_id = ${line.itemId} and s.on_hand > 0
         order by lo.expiry_date asc nulls last, lo.created_at, lo.id`);
      const r = pickFirstExpiry(
        lots.rows.map((l) => ({
          lotNumber: l.lot_number,
          expiryDate: l.expiry_date,
          onHand: Number(l.on_hand),
          held: Number(l.held),
        })),
        remaining,
        { today, sorted: true },
      );
      out.push({
        lineId: line.id,
        itemId: line.itemId,
        itemCode: line.itemCode,
        nameZh: line.nameZh,
        nameEn: line.nameEn,
        baseUnit: line.baseUnit,
        remaining,
        picks: r.picks.map((p) => ({
          lotNumber: p.lot.lotNumber,
          expiryDate: p.lot.expiryDate,
          quantity: p.quantity,
        })),
        shortfall: r.shortfall,
        expiredUnits: r.skippedExpired,
        quarantinedUnits: r.skippedQuarantined,
      });
    }
    return {
      requisitionId: row.id,
      number: requisitionSummaryView(row).number,
      sourceLocationId: row.source_location_id,
      sourceLocationCode: row.source_location_code,
      sourceLocationName: row.source_location_name,
      departmentName: row.department_name,
      generatedAt: new Date().toISOString(),
      lines: out,
    };
  });
}

export interface IssueInput {
  lines: { lineId: string; quantity: number; unit?: string; lotNumber?: string }[];
  patientRef?: string;
}

/**
 * Issues approved quantities to the department, all lines in one transaction: one issue movement
 * per line (and lot given), charged to the department and its cost centre. Less than what is left
 * may be issued — the rest stays open — never more. A retried request with the same
 * Idempotency-Key replays the first answer; without one, quantities beyond what is left are refused.
 */
export async function issueRequisition(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  input: IssueInput,
): Promise<RequisitionOutcome> {
  assertStoreRole(auth);
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const row = await loadRequisition(tx, auth, id, true);
    assertStatus(row, OPEN_FOR_ISSUE, 'issued');
    const lines = new Map((await requisitionLines(tx, id)).map((l) => [l.id, l]));
    const taking = new Map<string, number>();
    const posted: PostedMovement[] = [];
    const deliveryIds: string[] = [];
    for (const [i, want] of input.lines.entries()) {
      const line = lines.get(want.lineId);
      if (!line)
        throw unprocessable('unknown_requisition_line', 'The line is not on this requisition.', [
          { field: `body:/lines/${i}/lineId`, message: 'not a line of this requisition' },
        ]);
      const item = await loadItemRow(tx, line.item_id);
      const qty = toBaseQuantity(itemUnitsOf(item), want.quantity, want.unit ?? item.base_unit);
      if (qty === 0) continue;
      const left = Number(line.approved_qty ?? 0) - Number(line.issued_qty) - (taking.get(line.id) ?? 0);
      if (qty > left) throw overIssue(i, qty, left, line.item_code);
      taking.set(line.id, (taking.get(line.id) ?? 0) + qty);
      let movement: PostedMovement[];
      try {
        movement = await postMovement(tx, {
          type: 'issue',
          itemId: line.item_id,
          locationId: row.source_location_id,
          quantity: qty,
          lotNumber: want.lotNumber,
          departmentId: row.department_id,
          patientRef: input.patientRef,
          requisitionId: row.id,
          reference: requisitionSummaryView(row).number,
          source: auth.kind === 'api_key' ? 'integration' : 'requisition',
          actorId: actorOf(auth),
        });
      } catch (err) {
        if (err instanceof LedgerError)
          throw lineLedgerProblem(
            err,
            `body:/lines/${i}/${err.field === 'lotNumber' ? 'lotNumber' : 'quantity'}`,
          );
        throw err;
      }
      posted.push(...movement);
      await tx.execute(sql`
        insert into requisition_issues (requisition_id, group_id, issued_by)
        values (${id}, ${movement[0]!.groupId}, ${actorOf(auth)}::uuid)`);
      const ev = await emitEvent(tx, 'movement.created', {
        groupId: movement[0]!.groupId,
        type: 'issue',
        itemId: line.item_id,
        siteId: row.site_id,
        toSiteId: null,
        departmentId: row.department_id,
        requisitionId: row.id,
        movements: movement,
      });
      deliveryIds.push(...ev.deliveryIds);
    }
    if (taking.size === 0)
      throw unprocessable('nothing_to_issue', 'Give at least one line with a quantity above 0.', [
        { field: 'body:/lines', message: 'nothing to issue' },
      ]);
    const ids = [...taking.keys()];
    await tx.execute(sql`
      update requisition_lines x set issued_qty = x.issued_qty + t.qty
        from unnest(${sql.param(ids)}::uuid[], ${sql.param(ids.map((k) => taking.get(k)!))}::bigint[]) as t(id, qty)
       where x.id = t.id`);
    await tx.execute(sql`
      update requisitions r set
             status = case when exists (select 1 from requisition_lines x where x.requisition_id = r.id
                                         and x.issued_qty < coalesce(x.approved_qty, 0))
                           then 'partially_issued' else 'issued' end,
             last_issued_by = ${actorOf(auth)}::uuid, last_issued_at = now(), updated_at = now()
       where id = ${id}`);
    await tx.execute(sql`update requisitions set closed_at = now() where id = ${id} and status = 'issued'`);
    const requisition = await detail(tx, auth, id);
    const ev = await emitRequisitionEvent(tx, 'requisition.issued', requisition, {
      groupIds: [...new Set(posted.map((m) => m.groupId))],
      complete: requisition.status === 'issued',
    });
    deliveryIds.push(...ev.deliveryIds);
    return { requisition, deliveryIds, posted };
  });
}

function overIssue(i: number, qty: number, left: number, itemCode: string) {
  return new ProblemError(
    409,
    'requisition_over_issue',
    'Conflict',
    `Line ${i + 1} (${itemCode}) has ${left} left to issue; ${qty} is more than that.`,
    [{ field: `body:/lines/${i}/quantity`, message: `at most ${left}` }],
    { params: { line: i + 1, itemCode, quantity: qty, remaining: left } },
  );
}

// ---- Fixed-quantity packs (定数包) ------------------------------------------------------------

export type FixedPackRow = {
  id: string;
  code: string;
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  quantity: string;
  department_id: string;
  department_name: string;
  site_id: string;
  source_location_id: string;
  active: boolean;
  created_by: string | null;
  created_at: Date;
};

const PACK_SELECT = sql`
  select p.id, p.code, p.item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit, p.quantity::text,
         p.department_id, d.name as department_name, d.site_id, p.source_location_id, p.active, p.created_by, p.created_at
    from fixed_packs p join items i on i.id = p.item_id join departments d on d.id = p.department_id`;

export const fixedPackView = (p: FixedPackRow) => ({
  id: p.id,
  code: p.code,
  label: packLabel(p.code),
  itemId: p.item_id,
  itemCode: p.item_code,
  nameZh: p.name_zh,
  nameEn: p.name_en,
  baseUnit: p.base_unit,
  quantity: Number(p.quantity),
  departmentId: p.department_id,
  departmentName: p.department_name,
  siteId: p.site_id,
  sourceLocationId: p.source_location_id,
  active: p.active,
  createdBy: p.created_by,
  createdAt: new Date(p.created_at).toISOString(),
});

/** One pack the caller may see (its department's site within their limits). */
export async function getFixedPack(deps: AppDeps, auth: AuthContext, id: string) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const r = await tx.execute<FixedPackRow>(sql`${PACK_SELECT} where p.id = ${id}`);
    const pack = r.rows[0];
    if (!pack) throw notFound('The fixed pack');
    assertSiteVisible(auth, pack.site_id, 'The fixed pack');
    return fixedPackView(pack);
  });
}

export async function listFixedPacks(deps: AppDeps, auth: AuthContext, f: { departmentId?: string }) {
  const conds: SQL[] = [sql`true`];
  if (f.departmentId) conds.push(sql`p.department_id = ${f.departmentId}`);
  if (auth.siteIds !== null) conds.push(sql`d.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<FixedPackRow>(
      sql`${PACK_SELECT} where ${sql.join(conds, sql` and `)} order by p.code limit 1000`,
    ),
  );
  return { items: r.rows.map(fixedPackView) };
}

export async function createFixedPack(
  deps: AppDeps,
  auth: AuthContext,
  input: {
    code: string;
    itemId: string;
    quantity: number;
    unit?: string;
    departmentId: string;
    sourceLocationId: string;
  },
) {
  assertStoreRole(auth);
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const dept = await visibleDepartment(tx, auth, input.departmentId);
    if (!dept.active)
      throw unprocessable('unknown_department', 'The department does not exist or is inactive.', [
        { field: 'body:/departmentId', message: 'inactive department' },
      ]);
    await visibleStore(tx, auth, input.sourceLocationId, 'body:/sourceLocationId');
    const item = await loadItemRow(tx, input.itemId).catch(() => {
      throw unprocessable('unknown_item', 'The item does not exist.', [
        { field: 'body:/itemId', message: 'unknown item' },
      ]);
    });
    const qty = toBaseQuantity(itemUnitsOf(item), input.quantity, input.unit ?? item.base_unit);
    const r = await tx
      .execute<{ id: string }>(sql`
        insert into fixed_packs (code, item_id, quantity, department_id, source_location_id, created_by)
        values (${input.code}, ${input.itemId}, ${qty}, ${input.departmentId}, ${input.sourceLocationId}, ${actorOf(auth)}::uuid)
        returning id`)
      .catch((err: unknown) => {
        const e = err as { code?: string; cause?: { code?: string } };
        if ((e.cause?.code ?? e.code) === '23505')
          throw conflict('fixed_pack_code_taken', `A fixed pack with code '${input.code}' already exists.`, {
            code: input.code,
          });
        throw err;
      });
    const row = await tx.execute<FixedPackRow>(sql`${PACK_SELECT} where p.id = ${r.rows[0]!.id}`);
    return fixedPackView(row.rows[0]!);
  });
}

/**
 * A ward scans the label of a pack it has opened (MSPK:<code>[:<copy>], core pack-label.ts): the
 * store is asked to replenish it — a requisition for the pack's quantity from its store. Scanning
 * the same opened copy again while that requisition is open finds it instead of asking twice.
 */
export async function scanFixedPack(
  deps: AppDeps,
  auth: AuthContext,
  label: string,
): Promise<RequisitionOutcome> {
  const parsed = parsePackLabel(label);
  if (!parsed)
    throw unprocessable(
      'invalid_pack_label',
      `'${label}' is not a fixed-pack label (MSPK:<code>[:<copy>]).`,
      [{ field: 'body:/label', message: 'not a pack label' }],
      { label },
    );
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const r = await tx.execute<FixedPackRow>(sql`${PACK_SELECT} where p.code = ${parsed.code}`);
    const pack = r.rows[0];
    if (!pack?.active)
      throw unprocessable(
        'unknown_fixed_pack',
        `No active fixed pack has code '${parsed.code}'.`,
        [{ field: 'body:/label', message: 'unknown pack' }],
        { code: parsed.code },
      );
    assertSiteVisible(auth, pack.site_id, 'The fixed pack');
    // Serialise scans of one pack so two at once make one requisition.
    await tx.execute(sql`select 1 from fixed_packs where id = ${pack.id} for update`);
    const open = await tx.execute<{ id: string }>(sql`
      select id from requisitions where fixed_pack_id = ${pack.id} and pack_copy = ${parsed.copy}
         and status in ('submitted', 'approved', 'partially_issued')`);
    if (open.rows[0])
      return {
        requisition: await detail(tx, auth, open.rows[0].id),
        deliveryIds: [],
        posted: [],
        created: false,
      };
    const id = await insertRequisition(tx, auth, {
      departmentId: pack.department_id,
      sourceLocationId: pack.source_location_id,
      note: `定数包 ${pack.code}${parsed.copy === 1 ? '' : ` #${parsed.copy}`}`,
      lines: [{ itemId: pack.item_id, quantity: Number(pack.quantity) }],
      fixedPackId: pack.id,
      packCopy: parsed.copy,
    });
    const requisition = await detail(tx, auth, id);
    const ev = await emitRequisitionEvent(tx, 'requisition.submitted', requisition, {
      fixedPackId: pack.id,
      packCopy: parsed.copy,
    });
    return { requisition, deliveryIds: ev.deliveryIds, posted: [], created: true };
  });
}
