/**
 * The columns of each import kind: one table that the validators read and the API prints into
 * its OpenAPI description, so the documentation cannot drift from what the job accepts.
 * CSV files name these columns in their header (any order, unknown columns refused); JSON
 * records use the same names as keys.
 */
export const IMPORT_KINDS = [
  'items',
  'suppliers',
  'opening_balances',
  'movements',
  'purchase_orders',
  'stock_reports',
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_FORMATS = ['csv', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ColumnSpec {
  name: string;
  required: boolean;
  doc: string;
  /** Other header names accepted for the column (e.g. the Chinese one a clinic's sheet uses). */
  aliases?: string[];
}

const col = (name: string, required: boolean, doc: string, aliases?: string[]): ColumnSpec => ({
  name,
  required,
  doc,
  ...(aliases ? { aliases } : {}),
});

/**
 * The Chinese header of each column, as a clinic's sheet (and the Chinese template) names it.
 * One word per column name across kinds: `site_code` is 院区编码 wherever it appears.
 */
export const COLUMN_HEADERS_ZH: Record<string, string> = {
  code: '编码',
  name_zh: '中文名称',
  name_en: '英文名称',
  name: '名称',
  specification: '规格',
  category: '分类',
  base_unit: '基本单位',
  pack_units: '包装单位',
  gtin: '商品条码',
  manufacturer: '生产厂家',
  ved: 'VED分级',
  storage: '储存条件',
  substitute_group: '替代组',
  unit_cost: '单价',
  typical_monthly_usage: '月用量',
  lot_tracked: '批号管理',
  active: '启用',
  contact_email: '邮箱',
  phone: '电话',
  nominal_lead_time_days: '供货周期天数',
  item_code: '耗材编码',
  supplier_item_code: '供应商货号',
  pack_price: '包装单价',
  pack_size: '每包数量',
  moq_packs: '最小起订包数',
  lead_time_days: '该品供货天数',
  preferred: '首选供应商',
  site_code: '院区编码',
  location_code: '库位编码',
  quantity: '数量',
  unit: '单位',
  lot_number: '批号',
  expiry_date: '效期',
  date: '日期',
  type: '类型',
  po_number: '采购单号',
  supplier_code: '供应商编码',
  quantity_received: '到货数量',
  unit_price: '单价（基本单位）',
  ordered_at: '下单日期',
  received_at: '到货日期',
  period_start: '期间开始',
  period_end: '期间结束',
  opening: '期初',
  received: '入库',
  issued: '出库',
  losses: '损耗',
  losses_reason: '损耗原因',
  adjustments: '调整',
  adjustments_reason: '调整原因',
  closing_count: '期末盘点',
  stockout_days: '缺货天数',
};

/** A column's header in a language: its name in English, its Chinese header in Chinese. */
export function columnHeader(column: ColumnSpec, locale: 'zh-CN' | 'en'): string {
  return locale === 'zh-CN' ? (COLUMN_HEADERS_ZH[column.name] ?? column.name) : column.name;
}

/**
 * The column a header cell names (its name, its Chinese header or an alias, case-insensitive),
 * or the cell itself.
 */
export function canonicalColumnName(columns: readonly ColumnSpec[], header: string): string {
  const h = header.trim().toLowerCase();
  for (const c of columns)
    if (c.name === h || COLUMN_HEADERS_ZH[c.name] === h || c.aliases?.some((a) => a.toLowerCase() === h))
      return c.name;
  return h;
}

/** Ledger types a movement history row may have; quantities are positive except adjustments. */
export const HISTORICAL_MOVEMENT_TYPES = [
  'receipt',
  'issue',
  'transfer_out',
  'transfer_in',
  'adjustment',
  'return',
  'write_off',
  'stocktake',
] as const;

/** Other words accepted in the `type` column of movement history. */
const MOVEMENT_TYPE_ALIASES: Record<string, (typeof HISTORICAL_MOVEMENT_TYPES)[number]> = {
  count: 'stocktake',
  盘点: 'stocktake',
  入库: 'receipt',
  出库: 'issue',
  领用: 'issue',
  领用出库: 'issue',
  消耗: 'issue',
  使用: 'issue',
  采购入库: 'receipt',
  到货: 'receipt',
  receive: 'receipt',
  consume: 'issue',
  use: 'issue',
  报废: 'write_off',
  损耗: 'write_off',
  转出: 'transfer_out',
  转入: 'transfer_in',
  调出: 'transfer_out',
  调入: 'transfer_in',
  调整: 'adjustment',
  盘盈盘亏: 'adjustment',
  退货: 'return',
  报损: 'write_off',
};

/** The ledger type a history row's `type` cell names, or null. */
export function movementTypeOf(cell: string): (typeof HISTORICAL_MOVEMENT_TYPES)[number] | null {
  const v = cell.trim();
  const lower = v.toLowerCase();
  if ((HISTORICAL_MOVEMENT_TYPES as readonly string[]).includes(lower))
    return lower as (typeof HISTORICAL_MOVEMENT_TYPES)[number];
  return MOVEMENT_TYPE_ALIASES[lower] ?? MOVEMENT_TYPE_ALIASES[v] ?? null;
}

export const IMPORT_COLUMNS: Record<ImportKind, { summary: string; columns: ColumnSpec[] }> = {
  items: {
    summary: 'Catalogue items, created or updated by `code`.',
    columns: [
      col('code', true, 'item code, 1-60 characters; the key that other imports refer to'),
      col('name_zh', false, 'Chinese name (name_zh or name_en is required; the other defaults to it)'),
      col('name_en', false, 'English name'),
      col('specification', false, 'specification (规格)'),
      col('category', false, 'category code (injection, infusion, dressing, …; default general)'),
      col(
        'base_unit',
        true,
        'base unit code, lowercase (piece, ml, pair); cannot change on an existing item',
      ),
      col('pack_units', false, 'pack units as code=factor pairs separated by ";" — e.g. box=100;pack=10'),
      col('gtin', false, 'GTIN-8/12/13/14 with a valid check digit'),
      col('manufacturer', false, 'manufacturer'),
      col('ved', false, 'V, E or D (default E)'),
      col('storage', false, 'room, cool, cold or frozen (default room)'),
      col('substitute_group', false, 'items in one group may replace each other'),
      col('unit_cost', false, 'cost of one base unit, >= 0'),
      col(
        'typical_monthly_usage',
        false,
        'typical use per site per month in base units, >= 0: the forecast leans on it until the item has a history of its own',
        ['月用量', '月均用量'],
      ),
      col('lot_tracked', false, 'true/false (default true)'),
      col('active', false, 'true/false (default true)'),
    ],
  },
  suppliers: {
    summary:
      'Suppliers, created or updated by `code`; a row with `item_code` also sets that item’s terms with the supplier.',
    columns: [
      col('code', true, 'supplier code, 1-60 characters'),
      col('name', true, 'supplier name'),
      col('contact_email', false, 'e-mail address'),
      col('phone', false, 'phone number'),
      col('nominal_lead_time_days', false, 'usual lead time in days (default 7)'),
      col('active', false, 'true/false (default true)'),
      col('item_code', false, 'an item this supplier delivers (its terms follow)'),
      col('supplier_item_code', false, "the supplier's own code for the item"),
      col('pack_price', false, 'price of one order pack'),
      col('pack_size', false, 'base units in one order pack (default 1)'),
      col('moq_packs', false, 'minimum order quantity in packs (default 1)'),
      col('lead_time_days', false, 'lead time for this item, overriding the supplier’s'),
      col('preferred', false, 'true: the preferred supplier of the item'),
    ],
  },
  opening_balances: {
    summary:
      'Counted stock at go-live, posted as stocktake counts at `date` (default now): on-hand of each lot, or without a lot of the whole item-location, becomes the given quantity.',
    columns: [
      col('site_code', true, 'site code'),
      col('location_code', true, 'location code within the site'),
      col('item_code', true, 'item code'),
      col('quantity', true, 'counted quantity, >= 0, in `unit`'),
      col('unit', false, 'base unit or one of the item’s pack units (default base unit)'),
      col('lot_number', false, 'lot number (empty: the count is of the whole item-location, every lot)'),
      col('expiry_date', false, 'YYYY-MM-DD'),
      col('unit_cost', false, 'cost of one base unit'),
      col('date', false, 'YYYY-MM-DD or ISO date-time of the count (default now)'),
    ],
  },
  movements: {
    summary:
      'Movement history (years of daily or monthly records), counts included. Every row takes effect at its date: a row dated before a count is absorbed by it; a count (`stocktake`, `count` or 盘点; quantity = the counted stock) takes effect at its date, without `lot_number` it counts the whole item-location. An item-location whose rows hold no count gets a `history baseline` at the import time, so today’s on-hand is unchanged (the rows explain the past). Rows without a lot book to untracked stock. Rows already imported (same content, same ordinal among identical rows) are skipped, so importing a file twice adds nothing.',
    columns: [
      col(
        'date',
        true,
        "YYYY-MM-DD or YYYY/MM/DD (the organisation's local day), YYYY-MM-DD HH:MM (local time) or ISO date-time with an offset; not in the future",
      ),
      col('site_code', true, 'site code'),
      col('location_code', true, 'location code within the site'),
      col('item_code', true, 'item code'),
      col(
        'type',
        true,
        `${HISTORICAL_MOVEMENT_TYPES.join(', ')} (also count, 盘点, 入库, 出库, 领用, 调出, 调入, 调整, 退货, 报损)`,
      ),
      col(
        'quantity',
        true,
        'positive in `unit` (adjustments: signed, non-zero; counts: the counted quantity, >= 0); outflows are stored negative',
      ),
      col('unit', false, 'base unit or one of the item’s pack units (default base unit)'),
      col('lot_number', false, 'lot number'),
      col('expiry_date', false, 'YYYY-MM-DD, with lot_number'),
    ],
  },
  purchase_orders: {
    summary:
      'Purchase-order history: one row per order line; rows with the same `po_number` form one received order. Each line records a lead-time observation for its supplier and item.',
    columns: [
      col('po_number', true, 'order number, unique in the organisation'),
      col('supplier_code', true, 'supplier code'),
      col('site_code', true, 'site code'),
      col('location_code', true, 'receiving location code'),
      col('item_code', true, 'item code'),
      col('quantity', true, 'ordered quantity, > 0, in `unit`'),
      col('unit', false, 'base unit or one of the item’s pack units (default base unit)'),
      col('quantity_received', false, 'received quantity in `unit` (default: the ordered quantity)'),
      col('unit_price', false, 'price per base unit'),
      col('ordered_at', true, 'YYYY-MM-DD or ISO date-time'),
      col('received_at', true, 'YYYY-MM-DD or ISO date-time, not before ordered_at'),
    ],
  },
  stock_reports: {
    summary:
      'Periodic stock reports (库存月报), one row per item-location and period: posted like `POST /v1/stock-reports` (dated receipt, losses, issue and closing count of the whole item-location on the last day). Re-importing an identical report changes nothing; a different report of the same period fails the row.',
    columns: [
      col('site_code', true, 'site code', ['院区', '院区编码']),
      col('location_code', true, 'location code within the site', ['库位', '库位编码']),
      col('item_code', true, 'item code', ['耗材编码', '编码']),
      col('period_start', true, 'first day of the period, YYYY-MM-DD (local day)', ['期间开始', '开始日期']),
      col('period_end', true, 'last day of the period, YYYY-MM-DD (local day), not after today', [
        '期间结束',
        '结束日期',
      ]),
      col('opening', false, 'stock at the period start as reported (empty: not stated)', ['期初']),
      col('received', false, 'received in the period (default 0)', ['入库']),
      col('issued', false, 'issued / consumed in the period (default 0)', ['出库']),
      col('losses', false, 'losses written off (expired, damaged; default 0)', ['损耗']),
      col('losses_reason', false, 'reason of the losses', ['损耗原因']),
      col('adjustments', false, 'other corrections, signed (default 0)', ['调整']),
      col('adjustments_reason', false, 'reason of the adjustments', ['调整原因']),
      col('closing_count', true, 'stock counted at the end of the last day, >= 0', ['期末盘点', '期末']),
      col('stockout_days', false, 'days without stock in the period (default 0)', ['缺货天数']),
      col('unit', false, 'base unit or one of the item’s pack units for every quantity (default base unit)', [
        '单位',
      ]),
    ],
  },
};

/** Markdown for the route description: the columns of every kind. */
export function importColumnsMarkdown(): string {
  return IMPORT_KINDS.map((kind) => {
    const { summary, columns } = IMPORT_COLUMNS[kind];
    const header = columns.map((c) => c.name).join(',');
    const rows = columns.map((c) => `| \`${c.name}\` | ${c.required ? 'yes' : ''} | ${c.doc} |`).join('\n');
    return `#### kind=${kind}\n${summary}\n\nCSV header: \`${header}\`\n\n| column | required | meaning |\n|---|---|---|\n${rows}`;
  }).join('\n\n');
}
