import { ledgerReason, type RowReason, rowReason } from '@medstock/contracts/imports/row-messages.ts';
import { LedgerError, postStockReport, type StockReportInput } from '@medstock/db';
import {
  type ApplyContext,
  ApplyRowError,
  columnIndex,
  type KindImporter,
  type ValidateContext,
} from './importer.ts';
import { isRealDate, normaliseDate, parseNumber, toBase } from './parse-values.ts';
import type { ImportRow } from './read-rows.ts';
import { locationKey, unitOfCell, unitWordZh } from './reference-data.ts';

const C = columnIndex('stock_reports');

/** The API field a ledger refusal names → the file's column. */
const FIELD: Record<string, string> = {
  itemId: 'item_code',
  locationId: 'location_code',
  periodStart: 'period_start',
  periodEnd: 'period_end',
  opening: 'opening',
  received: 'received',
  issued: 'issued',
  losses: 'losses',
  adjustments: 'adjustments',
  closingCount: 'closing_count',
  stockoutDays: 'stockout_days',
  quantity: 'closing_count',
};

const QUANTITIES = [
  ['opening', 'opening', false],
  ['received', 'received', false],
  ['issued', 'issued', false],
  ['losses', 'losses', false],
  ['adjustments', 'adjustments', true],
  ['closing_count', 'closingCount', false],
] as const;

/**
 * Periodic stock reports (库存月报), one per line: each posted through postStockReport (dated
 * receipt, losses, issue and a closing count of the whole item-location), all in the import's one
 * transaction. An identical report already posted is left as it is (re-importing the same file
 * changes nothing); a different report of the same period, or an overlapping one, fails its line.
 */
export async function createStockReportsImporter(
  ctx: ValidateContext,
  actorId: string | null,
): Promise<KindImporter> {
  const seen = new Map<string, number>();

  function resolve(row: ImportRow, report: boolean): StockReportInput | null {
    const v = row.values;
    let bad = false;
    const err = (field: string, reason: RowReason) => {
      bad = true;
      if (report) ctx.error(row.line, field, reason);
    };
    const siteCode = v[C.site_code!]!;
    const location = ctx.refs.locations.get(locationKey(siteCode, v[C.location_code!]!));
    if (!location) {
      if (!ctx.refs.siteCodes.has(siteCode)) err('site_code', rowReason('unknown_site', { site: siteCode }));
      else
        err(
          'location_code',
          rowReason('unknown_location', { location: v[C.location_code!]!, site: siteCode }),
        );
    } else if (!location.active) err('location_code', rowReason('location_inactive'));
    const itemCode = v[C.item_code!]!;
    const item = ctx.refs.items.get(itemCode);
    if (!item)
      err(
        'item_code',
        itemCode === '' ? rowReason('required') : rowReason('unknown_item', { item: itemCode }),
      );

    const start = normaliseDate(v[C.period_start!]!);
    const end = normaliseDate(v[C.period_end!]!);
    if (!isRealDate(start)) err('period_start', rowReason('not_a_date', { value: v[C.period_start!]! }));
    if (!isRealDate(end)) err('period_end', rowReason('not_a_date', { value: v[C.period_end!]! }));
    else if (isRealDate(start) && end < start) err('period_end', rowReason('before_period_start'));

    const ofCell = item ? unitOfCell(item, v[C.unit!]!) : undefined;
    if (ofCell && !ofCell.ok) err('unit', ofCell.reason);
    const unit = ofCell?.ok ? ofCell.unit : '';
    const factor = ofCell?.ok ? ofCell.factor : undefined;
    const out: Record<string, number | null> = {};
    for (const [column, key, signed] of QUANTITIES) {
      const cell = v[C[column]!]!;
      if (cell === '') {
        if (column === 'closing_count') err(column, rowReason('required'));
        out[key] = column === 'opening' ? null : 0;
        continue;
      }
      const n = parseNumber(cell);
      if (!n.ok) err(column, n.reason);
      else if (!signed && n.value < 0) err(column, rowReason('negative', { value: cell }));
      else if (factor !== undefined && item) {
        const base = toBase(n.value, factor, unit, item.baseUnit, (c) => unitWordZh(item, c));
        if (base.ok) out[key] = base.value;
        else err(column, base.reason);
      }
    }
    let stockoutDays = 0;
    if (v[C.stockout_days!]) {
      const n = parseNumber(v[C.stockout_days!]!);
      if (!n.ok || !Number.isSafeInteger(n.value) || n.value < 0)
        err('stockout_days', rowReason('whole_days', { value: v[C.stockout_days!]! }));
      else stockoutDays = n.value;
    }
    if (bad || !item || !location) return null;
    return {
      itemId: item.id,
      locationId: location.id,
      periodStart: start,
      periodEnd: end,
      opening: out.opening ?? null,
      received: out.received ?? 0,
      issued: out.issued ?? 0,
      losses: out.losses ?? 0,
      lossesReason: v[C.losses_reason!] || null,
      adjustments: out.adjustments ?? 0,
      adjustmentsReason: v[C.adjustments_reason!] || null,
      closingCount: out.closingCount ?? 0,
      stockoutDays,
      source: 'import',
      importId: ctx.importId,
      actorId,
    };
  }

  return {
    validate(row) {
      const r = resolve(row, true);
      if (!r) return;
      const key = `${r.itemId}|${r.locationId}|${r.periodStart}`;
      const first = seen.get(key);
      if (first !== undefined)
        ctx.error(row.line, 'period_start', rowReason('period_twice', { line: first }));
      else seen.set(key, row.line);
    },
    async finishValidation() {},
    async apply(a: ApplyContext) {
      let applied = 0;
      let created = 0;
      let unchanged = 0;
      let movements = 0;
      for await (const row of a.rows()) {
        const r = resolve(row, false);
        if (!r) throw new ApplyRowError(row.line, 'row', rowReason('row_changed'));
        try {
          const posted = await postStockReport(a.tx, r);
          if (posted.created) created++;
          else unchanged++;
          movements += posted.movements.length;
        } catch (e) {
          if (e instanceof LedgerError)
            throw new ApplyRowError(row.line, FIELD[e.field ?? ''] ?? 'row', ledgerReason(e));
          throw e;
        }
        if (++applied % a.every === 0) await a.progress(applied);
      }
      await a.progress(applied);
      return { reports: created, unchanged, movements };
    },
    async dispose() {},
  };
}
