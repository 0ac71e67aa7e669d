import { ledgerReason, type RowReason, rowReason } from '@medstock/contracts/imports/row-messages.ts';
import { LedgerError, postMovement } from '@medstock/db';
import {
  type ApplyContext,
  ApplyRowError,
  columnIndex,
  type KindImporter,
  type ValidateContext,
} from './importer.ts';
import { createInstantParser, isRealDate, normaliseDate, parseNonNegative, toBase } from './parse-values.ts';
import type { ImportRow } from './read-rows.ts';
import { loadLots, locationKey, lotKey, unitOfCell, unitWordZh } from './reference-data.ts';

const C = columnIndex('opening_balances');
const LEDGER_FIELD: Record<string, string> = {
  quantity: 'quantity',
  lotNumber: 'lot_number',
  expiryDate: 'expiry_date',
  itemId: 'item_code',
  locationId: 'location_code',
};

interface Balance {
  locationId: string;
  itemId: string;
  quantity: number;
  lotNumber: string;
  expiryDate: string | null;
  unitCost: number | null;
  occurredAt: Date | null;
}

/**
 * Opening balances: the stock counted at go-live. Each row is posted through the ledger as a
 * stocktake count (postMovement) of its lot, or without lot_number of the whole item-location
 * (every lot; it cannot stand beside lot rows of the same item-location), dated `date` when
 * given (a dated count takes effect at its date), so on-hand, lots and the movement trail are exactly
 * what a storekeeper counting by hand would produce, and importing the same file twice leaves
 * on-hand unchanged. Go-live files hold thousands of rows, so the per-row ledger path is fine.
 */
export async function createOpeningBalancesImporter(
  ctx: ValidateContext,
  actorId: string | null,
): Promise<KindImporter> {
  const lots = await ctx.withTx(loadLots);
  const fileLots = new Map<string, { expiry: string | null; line: number }>();
  const seen = new Map<string, number>();
  const wholeRows = new Map<string, number>();
  const lotRows = new Map<string, number>();
  const instant = createInstantParser(ctx.notAfterMs, ctx.timeZone);

  /** The row's balance, or null after reporting its problems (report = false in pass 2). */
  function resolve(row: ImportRow, report: boolean): Balance | null {
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
    if (!item) err('item_code', rowReason('unknown_item', { item: itemCode }));

    let quantity = 0;
    const q = parseNonNegative(v[C.quantity!]!);
    if (!q.ok) err('quantity', q.reason);
    else if (item) {
      const u = unitOfCell(item, v[C.unit!]!);
      if (!u.ok) err('unit', u.reason);
      else {
        const base = toBase(q.value, u.factor, u.unit, item.baseUnit, (c) => unitWordZh(item, c));
        if (base.ok) quantity = base.value;
        else err('quantity', base.reason);
      }
    }
    const lotNumber = v[C.lot_number!]!;
    const expiry = normaliseDate(v[C.expiry_date!]!);
    if (lotNumber.length > 40) err('lot_number', rowReason('too_long', { max: 40 }));
    if (expiry !== '' && !isRealDate(expiry)) err('expiry_date', rowReason('not_a_date', { value: expiry }));
    let unitCost: number | null = null;
    if (v[C.unit_cost!]) {
      const c = parseNonNegative(v[C.unit_cost!]!);
      if (c.ok) unitCost = c.value;
      else err('unit_cost', c.reason);
    }
    let occurredAt: Date | null = null;
    if (v[C.date!]) {
      const d = instant(v[C.date!]!);
      if (d.ok) occurredAt = new Date(d.value.ms);
      else err('date', d.reason);
    }
    if (bad || !item || !location) return null;
    return {
      locationId: location.id,
      itemId: item.id,
      quantity,
      lotNumber,
      expiryDate: expiry || null,
      unitCost,
      occurredAt,
    };
  }

  return {
    validate(row) {
      const b = resolve(row, true);
      if (!b) return;
      const key = `${b.locationId}\u0000${lotKey(b.itemId, b.lotNumber)}`;
      const first = seen.get(key);
      if (first !== undefined)
        ctx.error(row.line, 'lot_number', rowReason('same_lot_counted', { line: first }));
      else seen.set(key, row.line);
      // A row without a lot counts every lot of the item there: it cannot stand beside lot rows.
      const pair = `${b.locationId}\u0000${b.itemId}`;
      const other = (b.lotNumber === '' ? lotRows : wholeRows).get(pair);
      if (other !== undefined)
        ctx.error(
          row.line,
          'lot_number',
          b.lotNumber === ''
            ? rowReason('whole_beside_lot', { line: other })
            : rowReason('lot_beside_whole', { line: other }),
        );
      (b.lotNumber === '' ? wholeRows : lotRows).set(pair, row.line);
      // A lot has one expiry, in the database and across the file.
      const existing = lots.get(lotKey(b.itemId, b.lotNumber));
      const inFile = fileLots.get(lotKey(b.itemId, b.lotNumber));
      if (b.expiryDate && existing?.expiryDate && existing.expiryDate !== b.expiryDate) {
        ctx.error(
          row.line,
          'expiry_date',
          rowReason('lot_recorded_expiry', {
            lot: b.lotNumber,
            expected: existing.expiryDate,
            value: b.expiryDate,
          }),
        );
      } else if (b.expiryDate && inFile?.expiry && inFile.expiry !== b.expiryDate) {
        ctx.error(
          row.line,
          'expiry_date',
          rowReason('lot_expiry_in_file', { lot: b.lotNumber, expected: inFile.expiry, line: inFile.line }),
        );
      } else if (!inFile || (!inFile.expiry && b.expiryDate)) {
        fileLots.set(lotKey(b.itemId, b.lotNumber), { expiry: b.expiryDate, line: row.line });
      }
    },
    async finishValidation() {},
    async apply(a: ApplyContext) {
      let applied = 0;
      let movements = 0;
      for await (const row of a.rows()) {
        const b = resolve(row, false);
        if (!b) throw new ApplyRowError(row.line, 'row', rowReason('row_changed'));
        try {
          const posted = await postMovement(a.tx, {
            type: 'stocktake',
            itemId: b.itemId,
            locationId: b.locationId,
            quantity: b.quantity,
            lotNumber: b.lotNumber === '' ? undefined : b.lotNumber,
            expiryDate: b.expiryDate ?? undefined,
            unitCost: b.unitCost ?? undefined,
            reason: 'opening balance',
            source: 'import',
            occurredAt: b.occurredAt ?? undefined,
            actorId,
          });
          movements += posted.length;
        } catch (e) {
          if (e instanceof LedgerError)
            throw new ApplyRowError(row.line, LEDGER_FIELD[e.field ?? ''] ?? 'row', ledgerReason(e));
          throw e;
        }
        if (++applied % a.every === 0) await a.progress(applied);
      }
      await a.progress(applied);
      return { balances: applied, movements };
    },
    async dispose() {},
  };
}
