import { toBaseQuantity, UnitConversionError } from '@medstock/core';
import type { Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { type FieldError, unprocessable } from '../../lib/problem.ts';
import { type AuthContext, noteSiteTouched } from '../../plugins/access.ts';

export interface ItemQuantityInput {
  itemId: string;
  quantity: number;
  /** Any of the item's pack units; the base unit when absent. */
  unit?: string;
}

export interface CatalogueItem {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  baseUnit: string;
  active: boolean;
  unitCost: number;
  units: { code: string; factor: number }[];
}

/** Items with their pack units, by id, in one query. */
export async function loadItems(tx: Tx, ids: readonly string[]): Promise<Map<string, CatalogueItem>> {
  if (ids.length === 0) return new Map();
  const r = await tx.execute<{
    id: string;
    code: string;
    name_zh: string;
    name_en: string;
    base_unit: string;
    active: boolean;
    unit_cost: string;
    units: { code: string; factor: number }[] | null;
  }>(sql`
    select i.id, i.code, i.name_zh, i.name_en, i.base_unit, i.active, i.unit_cost::text,
           (select json_agg(json_build_object('code', u.code, 'factor', u.factor)) from item_units u where u.item_id = i.id) as units
      from items i where i.id = any(${sql.param([...new Set(ids)])}::uuid[])`);
  return new Map(
    r.rows.map((row) => [
      row.id,
      {
        id: row.id,
        code: row.code,
        nameZh: row.name_zh,
        nameEn: row.name_en,
        baseUnit: row.base_unit,
        active: row.active,
        unitCost: Number(row.unit_cost),
        units: row.units ?? [],
      },
    ]),
  );
}

/** Base units of `quantity` in `unit` for this item; conversion errors become a field error. */
export function toBase(
  item: CatalogueItem,
  quantity: number,
  unit: string | undefined,
  field: string,
  errors: FieldError[],
): number | undefined {
  try {
    const base = toBaseQuantity(
      { baseUnit: { code: item.baseUnit }, packUnits: item.units },
      quantity,
      unit ?? item.baseUnit,
    );
    if (base <= 0) {
      errors.push({ field, message: 'must be more than zero', code: 'not_positive' });
      return undefined;
    }
    return base;
  } catch (err) {
    if (!(err instanceof UnitConversionError)) throw err;
    errors.push({
      field: err.code === 'units.unknown_unit' ? field.replace(/quantity$/, 'unit') : field,
      message: err.message,
      code: err.code,
    });
    return undefined;
  }
}

/** Base units per one `unit` (for converting a price given per pack to a price per base unit). */
export function unitFactorOf(item: CatalogueItem, unit: string | undefined): number {
  if (unit === undefined || unit === item.baseUnit) return 1;
  return item.units.find((u) => u.code === unit)?.factor ?? 1;
}

export interface ResolvedLine<T extends ItemQuantityInput> {
  input: T;
  item: CatalogueItem;
  baseQuantity: number;
}

/**
 * Validates a list of item lines (PO lines, kit items) all at once: unknown or inactive items,
 * the same item twice, and quantities that are not a whole number of base units are reported
 * together, each with its JSON pointer (`body:/lines/2/quantity`).
 */
export async function resolveItemLines<T extends ItemQuantityInput>(
  tx: Tx,
  lines: readonly T[],
  pointer: string,
  opts: { allowInactive?: boolean } = {},
): Promise<ResolvedLine<T>[]> {
  const items = await loadItems(
    tx,
    lines.map((l) => l.itemId),
  );
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const out: ResolvedLine<T>[] = [];
  for (const [i, line] of lines.entries()) {
    const at = `${pointer}/${i}`;
    const item = items.get(line.itemId);
    let problem: { message: string; code: string } | undefined;
    if (!item) problem = { message: 'unknown item', code: 'unknown_item' };
    else if (!item.active && !opts.allowInactive)
      problem = { message: 'the item is inactive', code: 'item_inactive' };
    else if (seen.has(line.itemId))
      problem = { message: 'the same item appears twice', code: 'duplicate_item' };
    if (problem || !item) {
      errors.push({ field: `${at}/itemId`, ...problem! });
      continue;
    }
    seen.add(line.itemId);
    const base = toBase(item, line.quantity, line.unit, `${at}/quantity`, errors);
    if (base !== undefined) out.push({ input: line, item, baseQuantity: base });
  }
  if (errors.length)
    throw unprocessable('invalid_lines', 'Some lines are not valid; nothing was saved.', errors);
  return out;
}

/**
 * The site of a location the caller may use: it exists, is active and lies within the caller's
 * site limits (a location outside them is reported exactly like an unknown one).
 */
export async function usableLocationSite(
  tx: Tx,
  auth: AuthContext,
  locationId: string,
  field = 'body:/locationId',
): Promise<string> {
  const r = await tx.execute<{ site_id: string; active: boolean }>(
    sql`select site_id, active from locations where id = ${locationId}`,
  );
  const loc = r.rows[0];
  if (loc) noteSiteTouched(auth, loc.site_id);
  const refuse = (message: string) =>
    unprocessable('unknown_location', `The location ${message}.`, [{ field, message }]);
  // One wording for both (does not exist or is inactive): the catalogue says so.
  if (!loc || (auth.siteIds !== null && !auth.siteIds.includes(loc.site_id))) throw refuse('does not exist');
  if (!loc.active) throw refuse('is inactive');
  return loc.site_id;
}
