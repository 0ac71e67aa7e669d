import { organizationTimeZone, organizationToday, type Tx, withTenantDb } from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { ProblemError } from '../../lib/problem.ts';
import type { ProblemLocale } from '../../lib/problem-messages/index.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { type StockFilter, stockConditions } from '../stock/stock.service.ts';
import type { ExportColumn, ExportTable } from './export-sheet.ts';

/**
 * The exports: stock on hand by lot and location, lots expiring within N days, the ledger of a
 * date range and consumption (issues) by department. Every query holds only the caller's sites.
 * Exports are bounded (EXPORT_MAX_ROWS): a larger one is refused with a problem that says how to
 * narrow it, instead of building a file nobody can open.
 */
export const EXPORT_MAX_ROWS = 100_000;
export const EXPORT_KINDS = ['stock', 'expiry', 'ledger', 'consumption'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface ExportQuery extends StockFilter {
  withinDays?: number;
  from?: string;
  to?: string;
}

const unitOf = (r: { base_unit: string; base_unit_zh: string; base_unit_en: string }, l: ProblemLocale) =>
  (l === 'zh-CN' ? r.base_unit_zh : r.base_unit_en) || r.base_unit;
const nameOf = (r: { name_zh: string; name_en: string }, l: ProblemLocale) =>
  l === 'zh-CN' ? r.name_zh : r.name_en;

type ItemCols = {
  item_code: string;
  name_zh: string;
  name_en: string;
  specification: string;
  base_unit: string;
  base_unit_zh: string;
  base_unit_en: string;
  site_name: string;
  location_code: string;
  location_name: string;
};
const ITEM_COLUMNS = sql`i.code as item_code, i.name_zh, i.name_en, i.specification, i.base_unit, i.base_unit_zh, i.base_unit_en,
  si.name as site_name, l.code as location_code, l.name as location_name`;

function itemColumns<R extends ItemCols>(): ExportColumn<R>[] {
  return [
    { key: 'site', zh: '院区', en: 'Site', width: 18, value: (r) => r.site_name },
    { key: 'location', zh: '库房', en: 'Location', width: 18, value: (r) => r.location_name },
    { key: 'locationCode', zh: '库房编码', en: 'Location code', width: 12, value: (r) => r.location_code },
    { key: 'itemCode', zh: '耗材编码', en: 'Item code', width: 14, value: (r) => r.item_code },
    { key: 'itemName', zh: '耗材名称', en: 'Item name', width: 28, value: (r, l) => nameOf(r, l) },
    { key: 'specification', zh: '规格型号', en: 'Specification', width: 16, value: (r) => r.specification },
  ];
}
const unitColumn = <R extends ItemCols>(): ExportColumn<R> => ({
  key: 'unit',
  zh: '单位',
  en: 'Unit',
  width: 8,
  value: (r, l) => unitOf(r, l),
});

async function bounded<R extends Record<string, unknown>>(tx: Tx, q: SQL) {
  const r = await tx.execute<R>(sql`${q} limit ${EXPORT_MAX_ROWS + 1}`);
  if (r.rows.length > EXPORT_MAX_ROWS)
    throw new ProblemError(
      422,
      'export_too_large',
      'Export too large',
      `The export has more than ${EXPORT_MAX_ROWS} rows; choose a site, a location or a shorter date range.`,
      undefined,
      { params: { max: EXPORT_MAX_ROWS } },
    );
  return r.rows;
}

const JOINS = sql`join items i on i.id = x.item_id join locations l on l.id = x.location_id join sites si on si.id = l.site_id`;

type StockExportRow = ItemCols & {
  lot_number: string;
  expiry_date: string | null;
  on_hand: string;
  unit_cost: string;
  value: string;
};

/** The columns of a stock line (by lot and location); the expiry export adds its own after them. */
function stockColumns<R extends StockExportRow>(withCost: boolean): ExportColumn<R>[] {
  return [
    ...itemColumns<R>(),
    { key: 'lot', zh: '批号', en: 'Lot', width: 14, value: (r) => r.lot_number },
    { key: 'expiry', zh: '效期', en: 'Expiry date', width: 12, value: (r) => r.expiry_date },
    { key: 'onHand', zh: '库存数量', en: 'On hand', width: 10, value: (r) => Number(r.on_hand) },
    unitColumn<R>(),
    ...(withCost
      ? [
          {
            key: 'unitCost',
            zh: '单价（元）',
            en: 'Unit cost (CNY)',
            numFmt: '0.00',
            value: (r: R) => Number(r.unit_cost),
          },
        ]
      : []),
    { key: 'value', zh: '金额（元）', en: 'Value (CNY)', numFmt: '0.00', value: (r) => Number(r.value) },
  ];
}

const STOCK_SELECT = sql`${ITEM_COLUMNS}, lo.lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date, s.on_hand::text,
  i.unit_cost::text, (s.on_hand * i.unit_cost)::numeric(18,2)::text as value`;
const STOCK_FROM = sql`from stock s join items i on i.id = s.item_id join locations l on l.id = s.location_id
  join sites si on si.id = l.site_id join lots lo on lo.id = s.lot_id`;

async function stockTable(
  deps: AppDeps,
  auth: AuthContext,
  q: ExportQuery,
): Promise<ExportTable<StockExportRow>> {
  const conds = stockConditions(auth, q);
  const rows = await withTenantDb(deps.database.db, auth, (tx) =>
    bounded<StockExportRow>(
      tx,
      sql`select ${STOCK_SELECT} ${STOCK_FROM} where ${sql.join(conds, sql` and `)}
           order by si.name, l.code, i.code, lo.expiry_date nulls last, lo.lot_number`,
    ),
  );
  return { name: { zh: '库存明细', en: 'Stock on hand' }, rows, columns: stockColumns(true) };
}

type ExpiryExportRow = StockExportRow & { days_left: number };

async function expiryTable(
  deps: AppDeps,
  auth: AuthContext,
  q: ExportQuery,
): Promise<ExportTable<ExpiryExportRow>> {
  const conds = stockConditions(auth, q);
  const within = q.withinDays ?? 90;
  const rows = await withTenantDb(deps.database.db, auth, async (tx) => {
    // Days left count the organisation's local days, as the expiry page does.
    const today = sql`${await organizationToday(tx)}::date`;
    return bounded<ExpiryExportRow>(
      tx,
      sql`select ${STOCK_SELECT}, (lo.expiry_date - ${today}) as days_left ${STOCK_FROM}
           where ${sql.join(conds, sql` and `)} and lo.expiry_date is not null and lo.expiry_date <= ${today} + ${within}::int
           order by lo.expiry_date, i.code, si.name, l.code`,
    );
  });
  return {
    name: { zh: `近效期（${within}天内）`, en: `Expiring within ${within} days` },
    rows,
    columns: [
      ...stockColumns<ExpiryExportRow>(false),
      { key: 'daysLeft', zh: '剩余天数', en: 'Days left', width: 10, value: (r) => Number(r.days_left) },
      {
        key: 'status',
        zh: '状态',
        en: 'Status',
        width: 10,
        value: (r, l) =>
          Number(r.days_left) < 0
            ? l === 'zh-CN'
              ? '已过期'
              : 'Expired'
            : l === 'zh-CN'
              ? '近效期'
              : 'Expiring',
      },
    ],
  };
}

/** Movement types as a storekeeper names them. */
export const MOVEMENT_TYPE_LABELS: Record<string, { zh: string; en: string }> = {
  receipt: { zh: '入库', en: 'Receipt' },
  issue: { zh: '领用出库', en: 'Issue' },
  transfer_out: { zh: '调拨出库', en: 'Transfer out' },
  transfer_in: { zh: '调拨入库', en: 'Transfer in' },
  adjustment: { zh: '库存调整', en: 'Adjustment' },
  stocktake: { zh: '盘点', en: 'Stocktake' },
  return: { zh: '退货', en: 'Return' },
  write_off: { zh: '报损', en: 'Write-off' },
};

/** A local date range [from, to] (both inclusive), checked and turned into instants of the organisation's zone. */
function dateRange(q: ExportQuery, zone: SQL): SQL {
  // Both are required by the routes' schemas.
  if (!q.from || !q.to) throw new Error('dateRange: from and to are required');
  if (q.from > q.to)
    throw new ProblemError(
      422,
      'export_range_invalid',
      'Invalid date range',
      `The first day ${q.from} is after the last day ${q.to}.`,
      undefined,
      {
        params: { from: q.from, to: q.to },
      },
    );
  return sql`m.occurred_at >= (${q.from}::date)::timestamp at time zone ${zone}
         and m.occurred_at < (${q.to}::date + 1)::timestamp at time zone ${zone}`;
}

function movementConditions(auth: AuthContext, q: ExportQuery): SQL[] {
  if (q.siteId) assertSiteVisible(auth, q.siteId);
  const conds: SQL[] = [];
  if (q.itemId) conds.push(sql`m.item_id = ${q.itemId}`);
  if (q.siteId) conds.push(sql`l.site_id = ${q.siteId}`);
  if (q.locationId) conds.push(sql`m.location_id = ${q.locationId}`);
  if (auth.siteIds !== null) conds.push(sql`l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  return conds;
}

type LedgerExportRow = ItemCols & {
  id: string;
  at_local: string;
  type: string;
  quantity: string;
  lot_number: string | null;
  expiry_date: string | null;
  reason: string | null;
  reference: string | null;
  department_name: string | null;
  actor: string | null;
};

async function ledgerTable(
  deps: AppDeps,
  auth: AuthContext,
  q: ExportQuery,
): Promise<ExportTable<LedgerExportRow>> {
  const conds = movementConditions(auth, q);
  const rows = await withTenantDb(deps.database.db, auth, async (tx) => {
    const zone = sql`${await organizationTimeZone(tx)}::text`;
    return bounded<LedgerExportRow>(
      tx,
      sql`select m.id::text, to_char(m.occurred_at at time zone ${zone}, 'YYYY-MM-DD HH24:MI') as at_local, m.type, m.quantity::text,
                 ${ITEM_COLUMNS}, lo.lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date, m.reason, m.reference,
                 d.name as department_name, coalesce(nullif(u.name, ''), u.email) as actor
            from movements m join items i on i.id = m.item_id join locations l on l.id = m.location_id join sites si on si.id = l.site_id
            left join lots lo on lo.id = m.lot_id left join departments d on d.id = m.department_id
            left join control.users u on u.id = m.actor_id
           where ${sql.join([dateRange(q, zone), ...conds], sql` and `)}
           order by m.occurred_at, m.id`,
    );
  });
  return {
    name: { zh: '出入库流水', en: 'Stock ledger' },
    rows,
    columns: [
      { key: 'at', zh: '发生时间', en: 'Date and time', width: 17, value: (r) => r.at_local },
      {
        key: 'type',
        zh: '业务类型',
        en: 'Type',
        width: 10,
        value: (r, l) => {
          const t = MOVEMENT_TYPE_LABELS[r.type];
          return t ? (l === 'zh-CN' ? t.zh : t.en) : r.type;
        },
      },
      ...itemColumns<LedgerExportRow>(),
      { key: 'lot', zh: '批号', en: 'Lot', width: 14, value: (r) => r.lot_number },
      { key: 'expiry', zh: '效期', en: 'Expiry date', width: 12, value: (r) => r.expiry_date },
      {
        key: 'quantity',
        zh: '数量（入+ 出−）',
        en: 'Quantity (in + / out −)',
        width: 12,
        value: (r) => Number(r.quantity),
      },
      unitColumn<LedgerExportRow>(),
      { key: 'department', zh: '领用科室', en: 'Department', width: 16, value: (r) => r.department_name },
      { key: 'reason', zh: '原因', en: 'Reason', width: 16, value: (r) => r.reason },
      { key: 'reference', zh: '单据号', en: 'Reference', width: 16, value: (r) => r.reference },
      { key: 'actor', zh: '经办人', en: 'By', width: 18, value: (r) => r.actor },
      { key: 'movementId', zh: '流水号', en: 'Movement id', width: 10, value: (r) => Number(r.id) },
    ],
  };
}

type ConsumptionExportRow = ItemCols & {
  department_code: string | null;
  department_name: string | null;
  cost_centre: string | null;
  quantity: string;
  value: string;
  issues: number;
};

/**
 * Consumption by department (科室消耗): issues in the range, summed per department and item.
 * An issue charged to no department counts for the location it was issued from, marked so.
 * The site is the issuing location's, so site limits hold for both.
 */
async function consumptionTable(
  deps: AppDeps,
  auth: AuthContext,
  q: ExportQuery,
): Promise<ExportTable<ConsumptionExportRow>> {
  const conds = movementConditions(auth, q);
  const rows = await withTenantDb(deps.database.db, auth, async (tx) => {
    const zone = sql`${await organizationTimeZone(tx)}::text`;
    return bounded<ConsumptionExportRow>(
      tx,
      sql`select ${ITEM_COLUMNS}, d.code as department_code, d.name as department_name, d.cost_centre,
                 x.quantity::text, (x.quantity * i.unit_cost)::numeric(18,2)::text as value, x.issues
            from (select m.item_id, m.department_id, min(m.location_id::text)::uuid as location_id,
                         -sum(m.quantity) as quantity, count(*)::int as issues
                    from movements m join locations l on l.id = m.location_id
                   where ${sql.join([dateRange(q, zone), sql`m.type = 'issue'`, ...conds], sql` and `)}
                   group by m.item_id, m.department_id, case when m.department_id is null then m.location_id end) x
            ${JOINS} left join departments d on d.id = x.department_id
           order by si.name, d.code nulls last, l.code, i.code`,
    );
  });
  const noDepartment = (r: ConsumptionExportRow, l: ProblemLocale) =>
    l === 'zh-CN' ? `（未指定科室）${r.location_name}` : `(no department) ${r.location_name}`;
  return {
    name: { zh: '科室消耗汇总', en: 'Consumption by department' },
    rows,
    columns: [
      { key: 'site', zh: '院区', en: 'Site', width: 18, value: (r) => r.site_name },
      {
        key: 'department',
        zh: '科室',
        en: 'Department',
        width: 22,
        value: (r, l) => r.department_name ?? noDepartment(r, l),
      },
      {
        key: 'departmentCode',
        zh: '科室编码',
        en: 'Department code',
        width: 12,
        value: (r) => r.department_code,
      },
      { key: 'costCentre', zh: '成本中心', en: 'Cost centre', width: 12, value: (r) => r.cost_centre },
      { key: 'itemCode', zh: '耗材编码', en: 'Item code', width: 14, value: (r) => r.item_code },
      { key: 'itemName', zh: '耗材名称', en: 'Item name', width: 28, value: (r, l) => nameOf(r, l) },
      { key: 'specification', zh: '规格型号', en: 'Specification', width: 16, value: (r) => r.specification },
      { key: 'quantity', zh: '领用数量', en: 'Quantity issued', width: 10, value: (r) => Number(r.quantity) },
      unitColumn<ConsumptionExportRow>(),
      { key: 'issues', zh: '领用次数', en: 'Issues', width: 8, value: (r) => Number(r.issues) },
      { key: 'value', zh: '金额（元）', en: 'Value (CNY)', numFmt: '0.00', value: (r) => Number(r.value) },
    ],
  };
}

export function exportTable(deps: AppDeps, auth: AuthContext, kind: ExportKind, q: ExportQuery) {
  switch (kind) {
    case 'stock':
      return stockTable(deps, auth, q) as Promise<ExportTable<unknown>>;
    case 'expiry':
      return expiryTable(deps, auth, q) as Promise<ExportTable<unknown>>;
    case 'ledger':
      return ledgerTable(deps, auth, q) as Promise<ExportTable<unknown>>;
    case 'consumption':
      return consumptionTable(deps, auth, q) as Promise<ExportTable<unknown>>;
  }
}
