import { emitEvent, organizationToday, type Tx, withTenantDb } from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { notFound, unprocessable } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';

/** The alerts that mean "this item-location needs stock". */
export const SHORTAGE_ALERTS = [
  'stockout_risk',
  'below_safety_stock',
  'below_par_minimum',
  'stocked_out',
] as const;
const SHORTAGE = sql.raw(`(${SHORTAGE_ALERTS.map((t) => `'${t}'`).join(', ')})`);
const LIVE = sql.raw(`('open', 'acknowledged', 'snoozed')`);
const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

type OrderState = {
  quantityBase: number;
  packs: number;
  packSize: number;
  supplierId: string | null;
  supplierName: string | null;
};
type AlertRef = { id: string; type: string; severity: string; text: { zh: string; en: string } | null };

type LineRow = {
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  base_unit_zh: string | null;
  base_unit_en: string | null;
  unit_cost: number;
  location_id: string;
  location_name: string;
  site_id: string;
  site_name: string;
  position: number;
  reorder_point: number;
  order_up_to: number;
  stockout_probability: number | null;
  lead_time_mean: number;
  order: OrderState;
  pack_price: number | null;
  alerts: AlertRef[];
  draft: { id: string; number: string } | null;
};

export interface SuggestionLine {
  itemId: string;
  itemCode: string;
  itemNameZh: string;
  itemNameEn: string;
  baseUnit: string;
  locationId: string;
  locationName: string;
  siteId: string;
  siteName: string;
  position: number;
  reorderPoint: number;
  orderUpTo: number;
  quantityBase: number;
  packs: number;
  packSize: number;
  /** Price per base unit: the supplier's pack price ÷ pack size, else the item's unit cost. */
  unitPrice: number;
  value: number;
  /** Null when the engine could not compute it (unknown, shown as such — never 0). */
  stockoutProbability: number | null;
  reason: { zh: string; en: string };
  alerts: Array<{ id: string; type: string; severity: string }>;
  openDraft: { purchaseOrderId: string; number: string } | null;
  leadTimeDays: number;
}

export interface SupplierGroup {
  supplierId: string | null;
  supplierName: string | null;
  lines: SuggestionLine[];
  totalPacks: number;
  totalValue: number;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
const pct = (p: number) => `${r2(p * 100)}%`;

/** Throws 404 unless the site exists in this organisation and is visible to the caller. */
export async function assertSiteExists(tx: Tx, auth: AuthContext, siteId: string) {
  assertSiteVisible(auth, siteId);
  const r = await tx.execute(sql`select 1 from sites where id = ${siteId}`);
  if (!r.rowCount) throw notFound('The site');
}

/**
 * Item-locations that need ordering: the computed inventory position is at or below the reorder
 * point, or a shortage alert (stockout risk, below safety stock, stocked out) is live, and the
 * engine computed an order (quantity rounded up to the supplier's pack size and MOQ).
 */
async function suggestionRows(
  tx: Tx,
  auth: AuthContext,
  f: { siteId?: string; supplierIds?: readonly string[] },
): Promise<LineRow[]> {
  const conds: SQL[] = [sql`jsonb_typeof(p.state->'order') = 'object'`, sql`i.active`, sql`l.active`];
  conds.push(sql`(p.position <= p.reorder_point or exists (select 1 from alerts a where a.item_id = p.item_id and a.location_id = p.location_id
                   and a.status in ${LIVE} and a.type in ${SHORTAGE}))`);
  if (f.siteId) conds.push(sql`l.site_id = ${f.siteId}`);
  if (auth.siteIds !== null) conds.push(sql`l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  if (f.supplierIds)
    conds.push(sql`(p.state->'order'->>'supplierId')::uuid = any(${sql.param([...f.supplierIds])}::uuid[])`);
  const r = await tx.execute<LineRow>(sql`
    select p.item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit, i.base_unit_zh, i.base_unit_en, i.unit_cost::float8 as unit_cost,
           p.location_id, l.name as location_name, l.site_id, s.name as site_name,
           p.position, p.reorder_point::float8 as reorder_point, p.order_up_to::float8 as order_up_to,
           p.stockout_probability::float8 as stockout_probability, p.lead_time_mean::float8 as lead_time_mean,
           p.state->'order' as "order", isup.pack_price::float8 as pack_price,
           (select coalesce(json_agg(json_build_object('id', a.id, 'type', a.type, 'severity', a.severity, 'text', a.explanation->'text') order by a.opened_at), '[]'::json)
              from alerts a where a.item_id = p.item_id and a.location_id = p.location_id and a.status in ${LIVE} and a.type in ${SHORTAGE}) as alerts,
           (select json_build_object('id', po.id, 'number', po.number)
              from purchase_orders po join purchase_order_lines pol on pol.purchase_order_id = po.id
             where po.status = 'draft' and po.location_id = p.location_id and pol.item_id = p.item_id
               and po.supplier_id = (p.state->'order'->>'supplierId')::uuid
             order by po.created_at desc limit 1) as draft
      from item_location_policies p
      join items i on i.id = p.item_id
      join locations l on l.id = p.location_id
      join sites s on s.id = l.site_id
      left join item_suppliers isup on isup.item_id = p.item_id and isup.supplier_id = (p.state->'order'->>'supplierId')::uuid
     where ${sql.join(conds, sql` and `)}`);
  return r.rows;
}

function lineOf(r: LineRow): SuggestionLine {
  const o = r.order;
  const unitPrice =
    r.pack_price !== null && r.pack_price > 0 ? r4(r.pack_price / o.packSize) : Number(r.unit_cost);
  const alerts = [...r.alerts].sort(
    (a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9),
  );
  const top = alerts.find((a) => a.text);
  const pos = Number(r.position);
  // Levels are counts of the base unit: stated as the whole count that covers them (as in alerts).
  const rop = Math.ceil(r.reorder_point - 1e-9);
  const upTo = Math.ceil(r.order_up_to - 1e-9);
  const unit = { zh: r.base_unit_zh || r.base_unit, en: r.base_unit_en || r.base_unit };
  const order = {
    zh: `建议订购 ${o.packs} 包装（每包 ${o.packSize} ${unit.zh}，共 ${o.quantityBase} ${unit.zh}），补足至订货上限 ${upTo} ${unit.zh}。`,
    en: `Order ${o.packs} packs of ${o.packSize} (${o.quantityBase} ${unit.en}) to bring the position up to the order-up-to level ${upTo} ${unit.en}.`,
  };
  const reason = top?.text
    ? { zh: `${top.text.zh} ${order.zh}`, en: `${top.text.en} ${order.en}` }
    : {
        zh: `${r.name_zh}（${r.site_name}·${r.location_name}）可用库存 ${pos} ≤ 再订货点 ${rop}（ROP = d̄ · L̄ + SS），下次到货前缺货概率 ${r.stockout_probability === null ? '未知' : pct(r.stockout_probability)}。${order.zh}`,
        en: `${r.name_en} (${r.site_name} · ${r.location_name}): position ${pos} is at or below the reorder point ${rop} (ROP = d̄ · L̄ + SS); ${r.stockout_probability === null ? 'unknown' : pct(r.stockout_probability)} chance of running out before the next possible receipt. ${order.en}`,
      };
  return {
    itemId: r.item_id,
    itemCode: r.item_code,
    itemNameZh: r.name_zh,
    itemNameEn: r.name_en,
    baseUnit: r.base_unit,
    locationId: r.location_id,
    locationName: r.location_name,
    siteId: r.site_id,
    siteName: r.site_name,
    position: pos,
    reorderPoint: rop,
    orderUpTo: r2(r.order_up_to),
    quantityBase: o.quantityBase,
    packs: o.packs,
    packSize: o.packSize,
    unitPrice,
    value: r2(unitPrice * o.quantityBase),
    stockoutProbability: r.stockout_probability === null ? null : Number(r.stockout_probability),
    reason,
    alerts: alerts.map((a) => ({ id: a.id, type: a.type, severity: a.severity })),
    openDraft: r.draft ? { purchaseOrderId: r.draft.id, number: r.draft.number } : null,
    leadTimeDays: Number(r.lead_time_mean),
  };
}

/** Orders suppliers by name (those without a supplier last); the key doubles as the page cursor. */
export const groupKey = (g: {
  supplierId: string | null;
  supplierName: string | null;
}): [number, string, string] => [g.supplierId ? 0 : 1, g.supplierName ?? '', g.supplierId ?? ''];

export function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

function groupBySupplier(lines: SuggestionLine[], rows: LineRow[]): SupplierGroup[] {
  const groups = new Map<string, SupplierGroup>();
  lines.forEach((line, i) => {
    const o = rows[i]!.order;
    const k = o.supplierId ?? '';
    const g = groups.get(k) ?? {
      supplierId: o.supplierId,
      supplierName: o.supplierName,
      lines: [],
      totalPacks: 0,
      totalValue: 0,
    };
    groups.set(k, g);
    g.lines.push(line);
    g.totalPacks += line.packs;
    g.totalValue = r2(g.totalValue + line.value);
  });
  for (const g of groups.values()) {
    g.lines.sort(
      (a, b) =>
        (b.stockoutProbability ?? -1) - (a.stockoutProbability ?? -1) ||
        a.itemCode.localeCompare(b.itemCode) ||
        a.locationId.localeCompare(b.locationId),
    );
  }
  return [...groups.values()].sort((a, b) => compareKeys(groupKey(a), groupKey(b)));
}

/** Purchase suggestions grouped by supplier, most urgent line first within each. */
export async function purchaseSuggestions(
  deps: AppDeps,
  auth: AuthContext,
  siteId?: string,
): Promise<SupplierGroup[]> {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    if (siteId) await assertSiteExists(tx, auth, siteId);
    const rows = await suggestionRows(tx, auth, { siteId });
    return groupBySupplier(rows.map(lineOf), rows);
  });
}

export interface CreatedDraft {
  id: string;
  number: string;
  status: 'draft';
  source: 'suggestion';
  supplierId: string;
  supplierName: string;
  siteId: string;
  locationId: string;
  locationName: string;
  expectedAt: string | null;
  createdAt: string;
  value: number;
  lines: Array<{
    itemId: string;
    itemCode: string;
    quantityOrdered: number;
    packs: number;
    packSize: number;
    unitPrice: number;
  }>;
}

export interface SkippedLine {
  itemId: string;
  locationId: string;
  supplierId: string | null;
  reason: 'no_supplier' | 'draft_exists' | 'excluded';
  purchaseOrderId: string | null;
  purchaseOrderNumber: string | null;
}

/**
 * Turns the current purchase suggestions into DRAFT purchase orders, one per supplier and
 * receiving location, all in one transaction (all or none). Drafts still need the approval
 * step. A suggestion line already present in an open draft for the same supplier, location and
 * item (whether drafted from suggestions or by hand) is skipped and reported, so posting twice
 * never orders twice; once that draft is approved the goods count as in transit, the position
 * rises and the suggestion disappears at the next recalculation, and if the draft is cancelled
 * the line can be drafted again. Lines without a supplier cannot become orders and are skipped.
 * Concurrent calls are serialised per organisation, so two clicks cannot both draft a line.
 */
/** The purchaser's edit of a suggestion line before drafting: whole packs, 0 leaves it out. */
export interface SuggestionEdit {
  itemId: string;
  locationId: string;
  packs: number;
}

/**
 * Applies the purchaser's edits to the suggestion lines: each must name a line on offer (the same
 * filters), else the request is refused as a whole (nothing drafted). The quantity becomes the
 * packs given × the supplier's pack size, below the MOQ too: the purchaser decides.
 */
function applyEdits(rows: LineRow[], edits: readonly SuggestionEdit[] | undefined) {
  const byKey = new Map<string, number>();
  if (!edits?.length) return byKey;
  const offered = new Set(rows.map((r) => `${r.item_id}|${r.location_id}`));
  const errors = edits
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => !offered.has(`${e.itemId}|${e.locationId}`))
    .map(({ i }) => ({
      field: `body:/lines/${i}`,
      message: 'not among the current purchase suggestions',
      code: 'unknown_suggestion',
    }));
  if (errors.length)
    throw unprocessable(
      'unknown_suggestion',
      'Some edited lines are not among the current purchase suggestions; nothing was drafted.',
      errors,
    );
  for (const e of edits) byKey.set(`${e.itemId}|${e.locationId}`, e.packs);
  return byKey;
}

function editedLine(line: SuggestionLine, packs: number | undefined): SuggestionLine {
  if (packs === undefined || packs === line.packs) return line;
  const quantityBase = packs * line.packSize;
  return { ...line, packs, quantityBase, value: r2(line.unitPrice * quantityBase) };
}

export async function createDraftOrders(
  deps: AppDeps,
  auth: AuthContext,
  f: { siteId?: string; supplierIds?: string[]; lines?: SuggestionEdit[] },
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`suggestion-drafts:${auth.organizationId}`}))`,
    );
    if (f.siteId) await assertSiteExists(tx, auth, f.siteId);
    if (f.supplierIds?.length) {
      const known = await tx.execute<{ id: string }>(
        sql`select id from suppliers where id = any(${sql.param(f.supplierIds)}::uuid[])`,
      );
      const ids = new Set(known.rows.map((r) => r.id));
      const missing = f.supplierIds.map((id, i) => ({ id, i })).filter((x) => !ids.has(x.id));
      if (missing.length) {
        throw unprocessable(
          'unknown_supplier',
          'Some suppliers do not exist.',
          missing.map((m) => ({ field: `body:/supplierIds/${m.i}`, message: 'unknown supplier' })),
          { count: missing.length },
        );
      }
    }
    const rows = await suggestionRows(tx, auth, f);
    const edits = applyEdits(rows, f.lines);
    const skipped: SkippedLine[] = [];
    const groups = new Map<string, Array<{ row: LineRow; line: SuggestionLine }>>();
    for (const row of rows) {
      const packs = edits.get(`${row.item_id}|${row.location_id}`);
      const line = editedLine(lineOf(row), packs);
      if (packs === 0) {
        skipped.push({
          itemId: line.itemId,
          locationId: line.locationId,
          supplierId: row.order.supplierId,
          reason: 'excluded',
          purchaseOrderId: null,
          purchaseOrderNumber: null,
        });
      } else if (!row.order.supplierId) {
        skipped.push({
          itemId: line.itemId,
          locationId: line.locationId,
          supplierId: null,
          reason: 'no_supplier',
          purchaseOrderId: null,
          purchaseOrderNumber: null,
        });
      } else if (line.openDraft) {
        skipped.push({
          itemId: line.itemId,
          locationId: line.locationId,
          supplierId: row.order.supplierId,
          reason: 'draft_exists',
          purchaseOrderId: line.openDraft.purchaseOrderId,
          purchaseOrderNumber: line.openDraft.number,
        });
      } else {
        const k = `${row.order.supplierId}|${row.location_id}`;
        groups.set(k, [...(groups.get(k) ?? []), { row, line }]);
      }
    }

    const created: CreatedDraft[] = [];
    const deliveryIds: string[] = [];
    const ordered = [...groups.values()].sort((a, b) =>
      compareKeys(
        [a[0]!.row.order.supplierName ?? '', a[0]!.row.location_name],
        [b[0]!.row.order.supplierName ?? '', b[0]!.row.location_name],
      ),
    );
    for (const group of ordered) {
      const first = group[0]!.row;
      const supplierId = first.order.supplierId!;
      const leadDays = Math.ceil(Math.max(...group.map((g) => g.line.leadTimeDays), 0));
      // No notes: they print on the supplier's PDF and are the purchaser's words; `source` and the
      // history say the draft came from the suggestions.
      const po = await tx.execute<{
        id: string;
        number: string;
        created_at: string;
        expected_at: string | null;
      }>(sql`
        insert into purchase_orders (number, supplier_id, site_id, location_id, status, source, notes, expected_at, created_by)
        values ('PO-' || to_char(now(), 'YYYY') || '-' || lpad(nextval('purchase_order_number_seq')::text, 6, '0'),
                ${supplierId}, ${first.site_id}, ${first.location_id}, 'draft', 'suggestion',
                null,
                ${await organizationToday(tx)}::date + ${leadDays}::int, ${auth.userId ?? auth.apiKeyId})
        returning id, number, created_at, to_char(expected_at, 'YYYY-MM-DD') as expected_at`);
      const { id, number, created_at, expected_at } = po.rows[0]!;
      const lines = group.map((g) => g.line).sort((a, b) => a.itemCode.localeCompare(b.itemCode));
      await tx.execute(sql`
        insert into purchase_order_lines (purchase_order_id, item_id, quantity_ordered, unit_price)
        select ${id}::uuid, x.item_id, x.q, x.price
          from unnest(${sql.param(lines.map((l) => l.itemId))}::uuid[], ${sql.param(lines.map((l) => l.quantityBase))}::bigint[],
                      ${sql.param(lines.map((l) => l.unitPrice))}::numeric[]) as x(item_id, q, price)`);
      const event = await emitEvent(tx, 'purchase_order.status_changed', {
        purchaseOrderId: id,
        number,
        from: null,
        to: 'draft',
        supplierId,
        siteId: first.site_id,
        locationId: first.location_id,
        actorId: auth.userId ?? auth.apiKeyId,
        changedAt: new Date().toISOString(),
        source: 'suggestion',
      });
      deliveryIds.push(...event.deliveryIds);
      created.push({
        id,
        number,
        status: 'draft',
        source: 'suggestion',
        supplierId,
        supplierName: first.order.supplierName ?? '',
        siteId: first.site_id,
        locationId: first.location_id,
        locationName: first.location_name,
        expectedAt: expected_at,
        createdAt: new Date(created_at).toISOString(),
        value: r2(lines.reduce((a, l) => a + l.value, 0)),
        lines: lines.map((l) => ({
          itemId: l.itemId,
          itemCode: l.itemCode,
          quantityOrdered: l.quantityBase,
          packs: l.packs,
          packSize: l.packSize,
          unitPrice: l.unitPrice,
        })),
      });
    }
    return { created, skipped, deliveryIds };
  });
}
