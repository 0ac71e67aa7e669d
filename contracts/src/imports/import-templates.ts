import { stringify } from 'csv-stringify/sync';
import { columnHeader, IMPORT_COLUMNS, type ImportKind } from './import-columns.ts';

type Locale = 'zh-CN' | 'en';

/**
 * Example rows of each kind's template, per language: the Chinese one writes what a Chinese
 * clinic's sheet holds (支/盒, 出库, 2026/08/01), the English one the codes. Both import as they
 * are into the demo organisation's catalogue (codes MAIN / CENTRAL / SYR-5ML as seeded).
 */
const EXAMPLES: Record<ImportKind, Record<Locale, Record<string, string>[]>> = {
  items: {
    'zh-CN': [
      {
        code: 'SYR-5ML',
        name_zh: '一次性使用无菌注射器 5ml',
        specification: '5ml 带针',
        category: 'injection',
        base_unit: '支',
        pack_units: '盒=100;箱=1000',
        unit_cost: '0.35',
        typical_monthly_usage: '400',
      },
    ],
    en: [
      {
        code: 'SYR-5ML',
        name_en: 'Sterile syringe 5 ml',
        specification: '5 ml with needle',
        category: 'injection',
        base_unit: 'piece',
        pack_units: 'box=100;case=1000',
        unit_cost: '0.35',
        typical_monthly_usage: '400',
      },
    ],
  },
  suppliers: {
    'zh-CN': [
      {
        code: 'SUP-01',
        name: '华东医疗器械有限公司',
        contact_email: 'orders@example.com',
        nominal_lead_time_days: '5',
        item_code: 'SYR-5ML',
        pack_price: '35',
        pack_size: '100',
        preferred: '是',
      },
    ],
    en: [
      {
        code: 'SUP-01',
        name: 'East China Medical Supplies Ltd',
        contact_email: 'orders@example.com',
        nominal_lead_time_days: '5',
        item_code: 'SYR-5ML',
        pack_price: '35',
        pack_size: '100',
        preferred: 'true',
      },
    ],
  },
  opening_balances: {
    'zh-CN': [
      {
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'SYR-5ML',
        quantity: '3',
        unit: '盒',
        lot_number: 'L2403',
        expiry_date: '2027年2月28日',
      },
    ],
    en: [
      {
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'SYR-5ML',
        quantity: '3',
        unit: 'box',
        lot_number: 'L2403',
        expiry_date: '2027-02-28',
      },
    ],
  },
  movements: {
    'zh-CN': [
      {
        date: '2026/08/01',
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'SYR-5ML',
        type: '出库',
        quantity: '40',
        unit: '支',
      },
      {
        date: '2026/08/02',
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'SYR-5ML',
        type: '入库',
        quantity: '2',
        unit: '盒',
        lot_number: 'L2403',
        expiry_date: '2027/02/28',
      },
    ],
    en: [
      {
        date: '2026-08-01',
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'SYR-5ML',
        type: 'issue',
        quantity: '40',
        unit: 'piece',
      },
      {
        date: '2026-08-02',
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'SYR-5ML',
        type: 'receipt',
        quantity: '2',
        unit: 'box',
        lot_number: 'L2403',
        expiry_date: '2027-02-28',
      },
    ],
  },
  purchase_orders: {
    'zh-CN': [
      {
        po_number: 'PO-2026-001',
        supplier_code: 'SUP-01',
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'SYR-5ML',
        quantity: '5',
        unit: '盒',
        ordered_at: '2026/07/20',
        received_at: '2026/07/25',
      },
    ],
    en: [
      {
        po_number: 'PO-2026-001',
        supplier_code: 'SUP-01',
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'SYR-5ML',
        quantity: '5',
        unit: 'box',
        ordered_at: '2026-07-20',
        received_at: '2026-07-25',
      },
    ],
  },
  stock_reports: {
    'zh-CN': [
      {
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'SYR-5ML',
        period_start: '2026年7月1日',
        period_end: '2026年7月31日',
        received: '500',
        issued: '420',
        losses: '5',
        losses_reason: '破损',
        closing_count: '275',
        unit: '支',
      },
    ],
    en: [
      {
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'SYR-5ML',
        period_start: '2026-07-01',
        period_end: '2026-07-31',
        received: '500',
        issued: '420',
        losses: '5',
        losses_reason: 'damaged',
        closing_count: '275',
        unit: 'piece',
      },
    ],
  },
};

/**
 * A kind's import template as CSV: every column, headed in the chosen language, and example
 * rows. UTF-8 with a BOM, so Excel on Chinese Windows opens it without mojibake; the importer
 * reads it back as it is (Chinese headers, units, types and dates are all accepted).
 */
export function importTemplateCsv(kind: ImportKind, locale: Locale): string {
  const columns = IMPORT_COLUMNS[kind].columns;
  const rows = EXAMPLES[kind][locale].map((example) => columns.map((c) => example[c.name] ?? ''));
  return `\uFEFF${stringify([columns.map((c) => columnHeader(c, locale)), ...rows], { record_delimiter: '\r\n' })}`;
}
