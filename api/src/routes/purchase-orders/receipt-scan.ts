import { Gs1ParseError, parseGs1 } from '@medstock/core';
import { type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { type FieldError, notFound, unprocessable } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import type { ReceiptLineInput } from './receipt.service.ts';

export interface ScannedReceiptLine {
  lineId: string;
  itemId: string;
  itemCode: string;
  gtin: string;
  /** The unit the scanned GTIN marks (a box GTIN: the box), or the base unit. */
  unit: string;
  /** Its words, for the storekeeper (盒 / box). */
  unitNameZh: string;
  unitNameEn: string;
  /** The scan's count (AI 30, base units) or 1 of `unit`. */
  quantity: number;
  lotNumber?: string;
  expiryDate?: string;
  serial?: string;
}

type MatchRow = {
  line_id: string;
  item_id: string;
  item_code: string;
  base_unit: string;
  base_zh: string;
  base_en: string;
  unit_code: string | null;
  unit_zh: string | null;
  unit_en: string | null;
};

/**
 * A box scanned at the goods-in desk, matched to the order: its GTIN (the item's own, or one
 * linked to it — a box GTIN marks its pack unit) picks the order line, and the element string
 * gives lot, expiry and the count. Quantity defaults to one of the scanned unit (a box scan means
 * one box), or AI 30's count of base units when the label carries it. Refusals are field errors
 * of the scan: not a GS1 code, a GTIN on no line of this order.
 */
export async function resolveScan(
  tx: Tx,
  poLines: readonly { id: string; item_id: string }[],
  scan: string,
  field: string,
  errors: FieldError[],
): Promise<ScannedReceiptLine | undefined> {
  let parsed: ReturnType<typeof parseGs1>;
  try {
    parsed = parseGs1(scan);
  } catch (err) {
    if (!(err instanceof Gs1ParseError)) throw err;
    errors.push({ field, message: err.message, code: err.code.replace('.', '_') });
    return undefined;
  }
  if (!parsed.gtin) {
    errors.push({ field, message: 'the code carries no GTIN (AI 01)', code: 'scan_without_gtin' });
    return undefined;
  }
  const r = await tx.execute<MatchRow>(sql`
    select pl.id as line_id, i.id as item_id, i.code as item_code, i.base_unit, i.base_unit_zh as base_zh,
           i.base_unit_en as base_en, g.unit_code, u.name_zh as unit_zh, u.name_en as unit_en
      from purchase_order_lines pl join items i on i.id = pl.item_id
      left join item_gtins g on g.gtin = ${parsed.gtin} and g.item_id = i.id
      left join item_units u on u.item_id = i.id and u.code = g.unit_code
     where pl.id = any(${sql.param(poLines.map((l) => l.id))}::uuid[])
       and (i.gtin = ${parsed.gtin} or exists (select 1 from item_gtins g where g.gtin = ${parsed.gtin} and g.item_id = i.id))
     order by pl.id limit 1`);
  const m = r.rows[0];
  if (!m) {
    errors.push({
      field,
      message: `GTIN ${parsed.gtin} is on no line of this order`,
      code: 'scan_not_on_order',
      params: { gtin: parsed.gtin },
    });
    return undefined;
  }
  // AI 30 counts base units; otherwise one of what the GTIN marks.
  const pack = parsed.count === undefined && m.unit_code !== null;
  return {
    lineId: m.line_id,
    itemId: m.item_id,
    itemCode: m.item_code,
    gtin: parsed.gtin,
    unit: pack ? m.unit_code! : m.base_unit,
    unitNameZh: (pack ? m.unit_zh : m.base_zh) || (pack ? m.unit_code! : m.base_unit),
    unitNameEn: (pack ? m.unit_en : m.base_en) || (pack ? m.unit_code! : m.base_unit),
    quantity: parsed.count ?? 1,
    lotNumber: parsed.lot,
    expiryDate: parsed.expiry,
    serial: parsed.serial,
  };
}

/**
 * Receipt entries that carry a scan, resolved into ordinary entries: what the storekeeper typed
 * (quantity, unit, lot, expiry) wins over what the label says, except that a typed lot or expiry
 * that contradicts the label is an error (scan_mismatch) rather than a silent choice.
 */
export async function resolveScannedLines(
  tx: Tx,
  poLines: readonly { id: string; item_id: string }[],
  entries: readonly ReceiptLineInput[],
  errors: FieldError[],
): Promise<Map<number, ReceiptLineInput>> {
  const out = new Map<number, ReceiptLineInput>();
  for (const [i, e] of entries.entries()) {
    if (!e.scan) continue;
    const s = await resolveScan(tx, poLines, e.scan, `body:/lines/${i}/scan`, errors);
    if (!s) continue;
    if (e.lineId && e.lineId !== s.lineId) {
      errors.push({
        field: `body:/lines/${i}/lineId`,
        message: 'the scanned GTIN belongs to another line of the order',
        code: 'scan_mismatch',
      });
      continue;
    }
    let mismatch = false;
    for (const [name, scanned, given] of [
      ['lotNumber', s.lotNumber, e.lotNumber],
      ['expiryDate', s.expiryDate, e.expiryDate],
    ] as const) {
      if (scanned && given && scanned !== given) {
        errors.push({
          field: `body:/lines/${i}/${name}`,
          message: `differs from the scanned code (${scanned})`,
          code: 'scan_mismatch',
        });
        mismatch = true;
      }
    }
    if (mismatch) continue;
    out.set(i, {
      ...e,
      lineId: s.lineId,
      quantity: e.quantity ?? s.quantity,
      unit: e.unit ?? s.unit,
      lotNumber: e.lotNumber ?? s.lotNumber,
      expiryDate: e.expiryDate ?? s.expiryDate,
    });
  }
  return out;
}

/**
 * What a scan would receive against this order, without receiving it: the web fills the receipt
 * form from it (line, lot, expiry, quantity in the scanned unit) for the storekeeper to check.
 */
export async function lookUpReceiptScan(
  deps: AppDeps,
  auth: AuthContext,
  poId: string,
  scan: string | undefined,
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const po = (
      await tx.execute<{ site_id: string }>(sql`select site_id from purchase_orders where id = ${poId}`)
    ).rows[0];
    if (!po) throw notFound('The purchase order');
    assertSiteVisible(auth, po.site_id, 'The purchase order');
    if (!scan)
      throw unprocessable('scan_required', 'Give the scanned code.', [
        { field: 'querystring:/scan', message: 'required', code: 'scan_required' },
      ]);
    const lines = await tx.execute<{ id: string; item_id: string }>(
      sql`select id, item_id from purchase_order_lines where purchase_order_id = ${poId}`,
    );
    const errors: FieldError[] = [];
    const s = await resolveScan(tx, lines.rows, scan, 'querystring:/scan', errors);
    if (!s) {
      const e = errors[0]!;
      throw unprocessable(e.code ?? 'invalid_scan', e.message, errors, e.params);
    }
    return s;
  });
}
