import ExcelJS from 'exceljs';
import type { ProblemLocale } from '../../lib/problem-messages/index.ts';

/**
 * One export = one table: its columns (headers in both languages) and rows. The same table is
 * written as Excel (exceljs) or CSV, so the two formats never disagree on a column.
 */
export interface ExportColumn<R> {
  key: string;
  zh: string;
  en: string;
  /** Column width in characters (Excel only). */
  width?: number;
  /** Excel number format for numeric cells, e.g. '0.00'. */
  numFmt?: string;
  value(row: R, locale: ProblemLocale): string | number | null;
}

export interface ExportTable<R> {
  /** The file's base name, also the sheet's name. */
  name: { zh: string; en: string };
  columns: ExportColumn<R>[];
  rows: R[];
}

export type ExportFormat = 'xlsx' | 'csv';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

const label = (c: { zh: string; en: string }, locale: ProblemLocale) => (locale === 'zh-CN' ? c.zh : c.en);

export async function writeXlsx<R>(table: ExportTable<R>, locale: ProblemLocale): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'medstock';
  // Excel refuses sheet names with []:*?/\ and longer than 31 characters.
  const sheet = workbook.addWorksheet(
    label(table.name, locale)
      .replace(/[[\]:*?/\\]/g, ' ')
      .slice(0, 31),
  );
  sheet.columns = table.columns.map((c) => ({
    header: label(c, locale),
    key: c.key,
    width: c.width ?? 14,
    ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of table.rows) {
    sheet.addRow(Object.fromEntries(table.columns.map((c) => [c.key, c.value(row, locale)])));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // A leading = + - @ would be a formula when Excel opens the file (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** UTF-8 with a BOM: Excel on Chinese Windows then reads the Chinese headers correctly. */
export function writeCsv<R>(table: ExportTable<R>, locale: ProblemLocale): Buffer {
  const lines = [table.columns.map((c) => csvField(label(c, locale))).join(',')];
  for (const row of table.rows)
    lines.push(table.columns.map((c) => csvField(c.value(row, locale))).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

/** RFC 6266/5987: an ASCII fallback name plus the UTF-8 one (Chinese file names). */
export function contentDisposition(base: string, fallback: string, format: ExportFormat): string {
  return `attachment; filename="${fallback}.${format}"; filename*=UTF-8''${encodeURIComponent(`${base}.${format}`)}`;
}
