import { localDay, startOfLocalDay } from '@medstock/core';
import { withTenantDb } from '@medstock/db';
import { organizationTimeZone } from '@medstock/db/tenant/organization-time-zone.ts';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { notFound } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import type { ExportTable } from '../exports/export-sheet.ts';

const visibleSites = (auth: AuthContext) =>
  auth.siteIds === null ? sql`` : sql`and l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`;

// The price a consignment supplier bills per base unit: its term's pack price over the pack size,
// else the item's unit cost.
const UNIT_PRICE = sql`coalesce(nullif(ist.pack_price, 0) / ist.pack_size, i.unit_cost)`;

/** Marks (or unmarks) an item–supplier term as consignment (寄售); 404 when there is no such term. */
export async function setConsignment(
  deps: AppDeps,
  auth: AuthContext,
  itemId: string,
  supplierId: string,
  consignment: boolean,
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const r = await tx.execute(sql`
      update item_suppliers set consignment = ${consignment} where item_id = ${itemId} and supplier_id = ${supplierId}`);
    if (!r.rowCount) throw notFound('The item–supplier term');
    return { itemId, supplierId, consignment };
  });
}

type TermRow = {
  item_id: string;
  item_code: string;
  item_name_zh: string;
  item_name_en: string;
  base_unit: string;
  supplier_id: string;
  supplier_name: string;
  unit_price: string;
};

export async function listConsignmentTerms(deps: AppDeps, auth: AuthContext, supplierId?: string) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<TermRow>(sql`
      select i.id as item_id, i.code as item_code, i.name_zh as item_name_zh, i.name_en as item_name_en, i.base_unit,
             su.id as supplier_id, su.name as supplier_name, (${UNIT_PRICE})::text as unit_price
        from item_suppliers ist join items i on i.id = ist.item_id join suppliers su on su.id = ist.supplier_id
       where ist.consignment ${supplierId ? sql`and ist.supplier_id = ${supplierId}` : sql``}
       order by su.name, i.code`),
  );
  return r.rows.map((x) => ({
    itemId: x.item_id,
    itemCode: x.item_code,
    itemNameZh: x.item_name_zh,
    itemNameEn: x.item_name_en,
    baseUnit: x.base_unit,
    supplierId: x.supplier_id,
    supplierName: x.supplier_name,
    unitPrice: Number(x.unit_price),
  }));
}

type StockRow = {
  supplier_id: string;
  supplier_name: string;
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
  on_hand: string;
  unit_price: string;
};

/**
 * Vendor-owned stock (寄售库存) on hand: counted in on-hand like any stock, valued here at the
 * supplier's price but not the hospital's — it is the supplier's until used.
 */
export async function consignmentStock(
  deps: AppDeps,
  auth: AuthContext,
  f: { supplierId?: string; siteId?: string },
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<StockRow>(sql`
      select su.id as supplier_id, su.name as supplier_name, i.id as item_id, i.code as item_code,
             i.name_zh as item_name_zh, i.name_en as item_name_en, i.base_unit, l.id as location_id,
             l.name as location_name, l.site_id, lo.lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date,
             s.on_hand::text, (${UNIT_PRICE})::text as unit_price
        from stock s join lots lo on lo.id = s.lot_id join items i on i.id = s.item_id
        join locations l on l.id = s.location_id join suppliers su on su.id = lo.owner_supplier_id
        left join item_suppliers ist on ist.item_id = i.id and ist.supplier_id = su.id
       where s.on_hand > 0 ${visibleSites(auth)}
         ${f.supplierId ? sql`and lo.owner_supplier_id = ${f.supplierId}` : sql``}
         ${f.siteId ? sql`and l.site_id = ${f.siteId}` : sql``}
       order by su.name, i.code, l.name, lo.expiry_date nulls last`),
  );
  return r.rows.map((x) => ({
    supplierId: x.supplier_id,
    supplierName: x.supplier_name,
    itemId: x.item_id,
    itemCode: x.item_code,
    itemNameZh: x.item_name_zh,
    itemNameEn: x.item_name_en,
    baseUnit: x.base_unit,
    locationId: x.location_id,
    locationName: x.location_name,
    siteId: x.site_id,
    lotNumber: x.lot_number,
    expiryDate: x.expiry_date,
    onHand: Number(x.on_hand),
    unitPrice: Number(x.unit_price),
    value: round2(Number(x.on_hand) * Number(x.unit_price)),
    ownership: 'vendor' as const,
  }));
}

const round2 = (x: number) => Math.round(x * 100) / 100;

type UsageRow = {
  movement_id: string;
  occurred_at: Date;
  item_id: string;
  item_code: string;
  item_name_zh: string;
  item_name_en: string;
  base_unit: string;
  location_name: string;
  site_id: string;
  lot_number: string;
  expiry_date: string | null;
  quantity: string;
  unit_price: string;
  reference: string | null;
  department_name: string | null;
};

export interface StatementLine {
  movementId: number;
  occurredAt: string;
  /** The organisation's local day of the use. */
  day: string;
  itemId: string;
  itemCode: string;
  itemNameZh: string;
  itemNameEn: string;
  baseUnit: string;
  locationName: string;
  siteId: string;
  lotNumber: string;
  expiryDate: string | null;
  quantity: number;
  unitPrice: number;
  amount: number;
  reference: string | null;
  departmentName: string | null;
}

/**
 * The monthly usage statement of one consignment supplier (用后结算): every issue of its stock in
 * the month (the organisation's local days), with the price it bills, and the totals per item.
 * Ownership passed at each issue; the ledger froze the owner on the row, so a statement once
 * closed does not change when a lot's terms do.
 */
export async function consignmentStatement(
  deps: AppDeps,
  auth: AuthContext,
  f: { supplierId: string; month: string; siteId?: string },
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const supplier = (
      await tx.execute<{ id: string; code: string; name: string }>(
        sql`select id, code, name from suppliers where id = ${f.supplierId}`,
      )
    ).rows[0];
    if (!supplier) throw notFound('The supplier');
    const zone = await organizationTimeZone(tx);
    const [y, m] = f.month.split('-').map(Number) as [number, number];
    const first = `${f.month}-01`;
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    const from = startOfLocalDay(first, zone);
    const to = startOfLocalDay(next, zone);
    const r = await tx.execute<UsageRow>(sql`
      select m.id::text as movement_id, m.occurred_at, i.id as item_id, i.code as item_code, i.name_zh as item_name_zh,
             i.name_en as item_name_en, i.base_unit, l.name as location_name, l.site_id, lo.lot_number,
             to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date, (-m.quantity)::text as quantity,
             (${UNIT_PRICE})::text as unit_price, m.reference, d.name as department_name
        from movements m join items i on i.id = m.item_id join locations l on l.id = m.location_id
        join lots lo on lo.id = m.lot_id
        left join item_suppliers ist on ist.item_id = i.id and ist.supplier_id = m.owner_supplier_id
        left join departments d on d.id = m.department_id
       where m.owner_supplier_id = ${f.supplierId} and m.type = 'issue'
         and m.occurred_at >= ${from}::timestamptz and m.occurred_at < ${to}::timestamptz
         ${visibleSites(auth)} ${f.siteId ? sql`and l.site_id = ${f.siteId}` : sql``}
       order by m.occurred_at, m.id`);
    const lines: StatementLine[] = r.rows.map((x) => ({
      movementId: Number(x.movement_id),
      occurredAt: new Date(x.occurred_at).toISOString(),
      day: localDay(x.occurred_at, zone),
      itemId: x.item_id,
      itemCode: x.item_code,
      itemNameZh: x.item_name_zh,
      itemNameEn: x.item_name_en,
      baseUnit: x.base_unit,
      locationName: x.location_name,
      siteId: x.site_id,
      lotNumber: x.lot_number,
      expiryDate: x.expiry_date,
      quantity: Number(x.quantity),
      unitPrice: Number(x.unit_price),
      amount: round2(Number(x.quantity) * Number(x.unit_price)),
      reference: x.reference,
      departmentName: x.department_name,
    }));
    const byItem = new Map<
      string,
      {
        itemId: string;
        itemCode: string;
        itemNameZh: string;
        itemNameEn: string;
        baseUnit: string;
        quantity: number;
        unitPrice: number;
        amount: number;
      }
    >();
    for (const l of lines) {
      const t = byItem.get(l.itemId) ?? {
        itemId: l.itemId,
        itemCode: l.itemCode,
        itemNameZh: l.itemNameZh,
        itemNameEn: l.itemNameEn,
        baseUnit: l.baseUnit,
        quantity: 0,
        unitPrice: l.unitPrice,
        amount: 0,
      };
      t.quantity += l.quantity;
      t.amount = round2(t.amount + l.amount);
      byItem.set(l.itemId, t);
    }
    const items = [...byItem.values()].sort((a, b) => a.itemCode.localeCompare(b.itemCode));
    return {
      supplier: { id: supplier.id, code: supplier.code, name: supplier.name },
      month: f.month,
      from: from.toISOString(),
      to: to.toISOString(),
      items,
      lines,
      totalQuantity: items.reduce((s, i) => s + i.quantity, 0),
      totalAmount: round2(items.reduce((s, i) => s + i.amount, 0)),
    };
  });
}

/** The statement's lines as one export table (CSV), headers in the reader's language. */
export function statementTable(
  s: Awaited<ReturnType<typeof consignmentStatement>>,
): ExportTable<StatementLine> {
  return {
    name: {
      zh: `寄售结算单-${s.supplier.code}-${s.month}`,
      en: `consignment-statement-${s.supplier.code}-${s.month}`,
    },
    columns: [
      { key: 'date', zh: '使用日期', en: 'Date used', value: (l) => l.day },
      { key: 'itemCode', zh: '耗材编码', en: 'Item code', value: (l) => l.itemCode },
      {
        key: 'itemName',
        zh: '耗材名称',
        en: 'Item',
        value: (l, loc) => (loc === 'zh-CN' ? l.itemNameZh : l.itemNameEn),
      },
      { key: 'lot', zh: '批号', en: 'Lot', value: (l) => l.lotNumber },
      { key: 'expiry', zh: '效期', en: 'Expiry', value: (l) => l.expiryDate },
      { key: 'location', zh: '库位', en: 'Location', value: (l) => l.locationName },
      { key: 'department', zh: '科室', en: 'Department', value: (l) => l.departmentName },
      { key: 'quantity', zh: '数量', en: 'Quantity', value: (l) => l.quantity },
      { key: 'unit', zh: '单位', en: 'Unit', value: (l) => l.baseUnit },
      { key: 'unitPrice', zh: '单价', en: 'Unit price', value: (l) => l.unitPrice },
      { key: 'amount', zh: '金额', en: 'Amount', value: (l) => l.amount },
      { key: 'reference', zh: '单据号', en: 'Reference', value: (l) => l.reference },
    ],
    rows: s.lines,
  };
}
