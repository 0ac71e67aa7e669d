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
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_FORMATS = ['csv', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ColumnSpec {
  name: string;
  required: boolean;
  doc: string;
}

const col = (name: string, required: boolean, doc: string): ColumnSpec => ({ name, required, doc });

/** Ledger types a historical movement may have; quantities are positive except adjustments. */
export const HISTORICAL_MOVEMENT_TYPES = [
  'receipt',
  'issue',
  'transfer_out',
  'transfer_in',
  'adjustment',
  'return',
  'write_off',
] as const;

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
      'Counted stock at go-live, posted as stocktake counts: on-hand of each lot becomes the given quantity.',
    columns: [
      col('site_code', true, 'site code'),
      col('location_code', true, 'location code within the site'),
      col('item_code', true, 'item code'),
      col('quantity', true, 'counted quantity, >= 0, in `unit`'),
      col('unit', false, 'base unit or one of the item’s pack units (default base unit)'),
      col('lot_number', false, 'lot number (empty: untracked stock)'),
      col('expiry_date', false, 'YYYY-MM-DD'),
      col('unit_cost', false, 'cost of one base unit'),
      col('date', false, 'YYYY-MM-DD or ISO date-time of the count (default now)'),
    ],
  },
  movements: {
    summary:
      'Historical movements (years of daily or monthly records). Stored as `historical` ledger rows: they feed forecasts and KPIs but do not change today’s on-hand (import opening balances for that).',
    columns: [
      col(
        'date',
        true,
        "YYYY-MM-DD or YYYY/MM/DD (the organisation's local day), YYYY-MM-DD HH:MM (local time) or ISO date-time with an offset; not in the future",
      ),
      col('site_code', true, 'site code'),
      col('location_code', true, 'location code within the site'),
      col('item_code', true, 'item code'),
      col('type', true, HISTORICAL_MOVEMENT_TYPES.join(', ')),
      col(
        'quantity',
        true,
        'positive in `unit` (adjustments: signed, non-zero); outflows are stored negative',
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
