import {
  formatQuantity,
  fromBaseQuantity,
  Gs1ParseError,
  normaliseGtin,
  type PackUnit,
  toBaseQuantity,
  UnitConversionError,
  validatePackUnits,
} from '@medstock/core';
import { emitEvent, items, itemUnits, type Tx, withTenantDb } from '@medstock/db';
import { eq, type SQL, sql } from 'drizzle-orm';
import { assertWithinPlan } from '../../billing/plan-limits.ts';
import type { AppDeps } from '../../deps.ts';
import { enqueueDeliveries } from '../../lib/dispatch-deliveries.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { conflict, type FieldError, notFound, unprocessable } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { termsOfItem } from '../suppliers/supplier-terms.service.ts';
import {
  type ItemRow,
  itemUnitsOf,
  itemView,
  loadItemRow,
  rethrowUnique,
  selectItems,
} from './item.queries.ts';

type Ved = 'V' | 'E' | 'D';
type Storage = 'room' | 'cool' | 'cold' | 'frozen';

export interface UnitInput {
  code: string;
  zh?: string;
  en?: string;
}
export interface PackUnitInput extends UnitInput {
  factor: number;
}

export interface ItemInput {
  code: string;
  nameZh: string;
  nameEn: string;
  specification?: string;
  category?: string;
  baseUnit: UnitInput;
  packUnits?: PackUnitInput[];
  gtin?: string | null;
  nhsaCode?: string | null;
  udiDi?: string | null;
  manufacturer?: string | null;
  ved?: Ved;
  storage?: Storage;
  substituteGroup?: string | null;
  unitCost?: number;
  typicalMonthlyUsage?: number | null;
  lotTracked?: boolean;
  active?: boolean;
}
export type ItemPatch = Partial<Omit<ItemInput, 'code'>>;

export interface ItemFilter {
  q?: string;
  category?: string;
  ved?: Ved;
  active?: boolean;
  substituteGroup?: string;
}

const uniqueItem = (code?: string) =>
  rethrowUnique({
    items_code_key: ['item_code_taken', `An item with code '${code}' already exists.`, { code }],
    items_gtin_key: ['gtin_taken', 'Another item already has this GTIN.', {}, 'gtin_taken.unnamed'],
  });

// ---------------------------------------------------------------------------------------------
// Reads

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Catalogue search by code, Chinese or English name (substring, case-insensitive) or GTIN. */
export async function listItems(
  deps: AppDeps,
  auth: AuthContext,
  filter: ItemFilter,
  limit: number,
  cursor?: string,
) {
  const after = decodeCursor(cursor, ['text']);
  const conds: SQL[] = [sql`true`];
  const q = filter.q?.trim();
  if (q) {
    const like = likePattern(q);
    const gtin = /^[0-9]{8,14}$/.test(q) ? q.padStart(14, '0') : null;
    conds.push(
      sql`(i.code ilike ${like} or i.name_zh ilike ${like} or i.name_en ilike ${like} or i.gtin = ${gtin}
           or exists (select 1 from item_gtins g where g.item_id = i.id and g.gtin = ${gtin})
           or i.nhsa_code = ${q.toUpperCase()} or i.udi_di = ${q})`,
    );
  }
  if (filter.category) conds.push(sql`i.category = ${filter.category}`);
  if (filter.ved) conds.push(sql`i.ved = ${filter.ved}`);
  if (filter.active !== undefined) conds.push(sql`i.active = ${filter.active}`);
  if (filter.substituteGroup) conds.push(sql`i.substitute_group = ${filter.substituteGroup}`);
  if (after) conds.push(sql`i.code > ${String(after[0])}`);
  const rows = await withTenantDb(deps.database.db, auth, (tx) =>
    selectItems(tx, sql.join(conds, sql` and `), sql`order by i.code limit ${limit + 1}`),
  );
  const page = paginate(rows, limit, (r) => [r.code]);
  return { items: page.items.map(itemView), nextCursor: page.nextCursor };
}

async function detailOf(tx: Tx, row: ItemRow) {
  return { ...itemView(row), suppliers: await termsOfItem(tx, row.id) };
}

export async function getItem(deps: AppDeps, auth: AuthContext, id: string) {
  return withTenantDb(deps.database.db, auth, async (tx) => detailOf(tx, await loadItemRow(tx, id)));
}

// ---------------------------------------------------------------------------------------------
// Writes

/** JSON-pointer form of core's 'packUnits[1].factor'. */
const pointer = (path: string) => `body:/${path.replace(/\[(\d+)\]/g, '.$1').replaceAll('.', '/')}`;

/** Checks units with core's rules; every problem is reported at once as a 422 field error. */
function assertValidUnits(baseUnit: UnitInput, packUnits: readonly PackUnitInput[]): void {
  const issues = validatePackUnits({ baseUnit, packUnits: packUnits as PackUnit[] });
  if (issues.length === 0) return;
  throw unprocessable(
    'invalid_units',
    `The units are not valid: ${issues.map((i) => i.message).join('; ')}.`,
    issues.map((i) => ({ field: pointer(i.path), message: i.message, code: i.code })),
    { count: issues.length },
  );
}

/** The GTIN-14 form of what was typed, or a 422 naming the check digit that is wrong. */
function gtinOf(gtin: string | null | undefined): string | null | undefined {
  if (gtin === undefined || gtin === null) return gtin;
  try {
    return normaliseGtin(gtin);
  } catch (err) {
    if (!(err instanceof Gs1ParseError)) throw err;
    throw unprocessable(
      err.code.replace('.', '_'),
      err.message,
      [{ field: 'body:/gtin', message: err.message, code: err.code }],
      err.ai === undefined ? {} : { ai: err.ai },
    );
  }
}

const NHSA_CODE = /^C[0-9]{19}([0-9]{7})?$/;
const UDI_DI = /^[\x21-\x7e]{1,60}$/;

/**
 * 医保耗材编码 and UDI-DI as stored: trimmed, the NHSA code upper-cased (it is often typed with a
 * lower-case c); empty means none. A 422 naming the field otherwise.
 */
export function masterCodesOf(input: { nhsaCode?: string | null; udiDi?: string | null }) {
  const clean = (v: string | null | undefined) => (v === undefined ? undefined : v?.trim() || null);
  const nhsaCode = clean(input.nhsaCode)?.toUpperCase() ?? clean(input.nhsaCode);
  const udiDi = clean(input.udiDi);
  if (nhsaCode && !NHSA_CODE.test(nhsaCode)) {
    throw unprocessable(
      'invalid_nhsa_code',
      `'${nhsaCode}' is not an NHSA consumable code (C and 19 digits, or the 27-character code).`,
      [{ field: 'body:/nhsaCode', message: 'not an NHSA consumable code', code: 'invalid_nhsa_code' }],
      { value: nhsaCode },
    );
  }
  // A 14-digit UDI-DI is a GS1 GTIN: its check digit must hold, like any GTIN the clinic scans.
  const badGs1 = udiDi && /^[0-9]{14}$/.test(udiDi) && gtinCheckFails(udiDi);
  if (udiDi && (!UDI_DI.test(udiDi) || badGs1)) {
    throw unprocessable(
      'invalid_udi_di',
      'A UDI-DI is printable characters without spaces, up to 60; a GS1 one needs a valid check digit.',
      [{ field: 'body:/udiDi', message: 'not a UDI-DI', code: 'invalid_udi_di' }],
    );
  }
  return { nhsaCode, udiDi };
}

function gtinCheckFails(digits: string): boolean {
  try {
    normaliseGtin(digits);
    return false;
  } catch (err) {
    if (err instanceof Gs1ParseError) return true;
    throw err;
  }
}

/**
 * Substitution advice compares stock in base units, so every item of a substitute group must
 * count in the same base unit.
 */
async function assertSubstituteGroup(
  tx: Tx,
  group: string | null | undefined,
  baseUnit: string,
  selfId?: string,
) {
  if (!group) return;
  const r = await tx.execute<{ code: string; base_unit: string }>(sql`
    select code, base_unit from items
     where substitute_group = ${group} and base_unit <> ${baseUnit} ${selfId ? sql`and id <> ${selfId}` : sql``}
     limit 1`);
  const other = r.rows[0];
  if (other) {
    throw unprocessable(
      'substitute_unit_mismatch',
      `Substitute group '${group}' counts in '${other.base_unit}' (item ${other.code}); this item counts in '${baseUnit}'.`,
      [{ field: 'body:/substituteGroup', message: `group uses base unit '${other.base_unit}'` }],
      { group, groupUnit: other.base_unit, itemCode: other.code, baseUnit },
    );
  }
}

const unitRows = (itemId: string, packUnits: readonly PackUnitInput[]) =>
  packUnits.map((p) => ({ itemId, code: p.code, nameZh: p.zh ?? '', nameEn: p.en ?? '', factor: p.factor }));

export async function createItem(deps: AppDeps, auth: AuthContext, input: ItemInput) {
  const packUnits = input.packUnits ?? [];
  assertValidUnits(input.baseUnit, packUnits);
  const gtin = gtinOf(input.gtin);
  const codes = masterCodesOf(input);
  return withTenantDb(deps.database.db, auth, async (tx) => {
    await assertWithinPlan(deps, auth, 'items', 1, tx);
    if (gtin) await assertGtinFree(tx, gtin);
    await assertSubstituteGroup(tx, input.substituteGroup, input.baseUnit.code);
    const [row] = await tx
      .insert(items)
      .values({
        code: input.code,
        nameZh: input.nameZh,
        nameEn: input.nameEn,
        specification: input.specification ?? '',
        category: input.category ?? 'general',
        baseUnit: input.baseUnit.code,
        baseUnitZh: input.baseUnit.zh ?? '',
        baseUnitEn: input.baseUnit.en ?? '',
        gtin: gtin ?? null,
        nhsaCode: codes.nhsaCode ?? null,
        udiDi: codes.udiDi ?? null,
        manufacturer: input.manufacturer ?? null,
        ved: input.ved ?? 'E',
        storage: input.storage ?? 'room',
        substituteGroup: input.substituteGroup ?? null,
        unitCost: input.unitCost ?? 0,
        typicalMonthlyUsage: input.typicalMonthlyUsage ?? null,
        lotTracked: input.lotTracked ?? true,
        active: input.active ?? true,
      })
      .returning({ id: items.id });
    if (packUnits.length) await tx.insert(itemUnits).values(unitRows(row!.id, packUnits));
    return detailOf(tx, await loadItemRow(tx, row!.id));
  }).catch(uniqueItem(input.code));
}

/**
 * Updates an item. Given `packUnits` replace the item's pack units. Stored quantities are base
 * units, so pack factors may change at any time; the base unit itself may only be renamed
 * (labels) once the item has stock history, because changing it would silently rescale every
 * quantity already recorded.
 */
export async function updateItem(deps: AppDeps, auth: AuthContext, id: string, patch: ItemPatch) {
  const gtin = gtinOf(patch.gtin);
  const codes = masterCodesOf(patch);
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const current = await loadItemRow(tx, id, { forUpdate: true });
    if (gtin) await assertGtinFree(tx, gtin, id);
    const units = itemUnitsOf(current);
    const baseUnit = patch.baseUnit
      ? {
          code: patch.baseUnit.code,
          zh: patch.baseUnit.zh ?? current.base_unit_zh,
          en: patch.baseUnit.en ?? current.base_unit_en,
        }
      : { code: current.base_unit, zh: current.base_unit_zh, en: current.base_unit_en };
    const packUnits =
      patch.packUnits ?? units.packUnits.map((p) => ({ code: p.code, zh: p.zh, en: p.en, factor: p.factor }));
    if (patch.baseUnit || patch.packUnits) assertValidUnits(baseUnit, packUnits);
    if (baseUnit.code !== current.base_unit) await assertBaseUnitFree(tx, id, current.base_unit);
    const substituteGroup =
      patch.substituteGroup === undefined ? current.substitute_group : patch.substituteGroup;
    if (patch.substituteGroup !== undefined || baseUnit.code !== current.base_unit) {
      await assertSubstituteGroup(tx, substituteGroup, baseUnit.code, id);
    }
    await tx
      .update(items)
      .set({
        ...(patch.nameZh !== undefined && { nameZh: patch.nameZh }),
        ...(patch.nameEn !== undefined && { nameEn: patch.nameEn }),
        ...(patch.specification !== undefined && { specification: patch.specification }),
        ...(patch.category !== undefined && { category: patch.category }),
        ...(patch.baseUnit && { baseUnit: baseUnit.code, baseUnitZh: baseUnit.zh, baseUnitEn: baseUnit.en }),
        ...(gtin !== undefined && { gtin }),
        ...(codes.nhsaCode !== undefined && { nhsaCode: codes.nhsaCode }),
        ...(codes.udiDi !== undefined && { udiDi: codes.udiDi }),
        ...(patch.manufacturer !== undefined && { manufacturer: patch.manufacturer }),
        ...(patch.ved !== undefined && { ved: patch.ved }),
        ...(patch.storage !== undefined && { storage: patch.storage }),
        ...(patch.substituteGroup !== undefined && { substituteGroup: patch.substituteGroup }),
        ...(patch.unitCost !== undefined && { unitCost: patch.unitCost }),
        ...(patch.typicalMonthlyUsage !== undefined && { typicalMonthlyUsage: patch.typicalMonthlyUsage }),
        ...(patch.lotTracked !== undefined && { lotTracked: patch.lotTracked }),
        ...(patch.active !== undefined && { active: patch.active }),
        updatedAt: sql`now()`,
      })
      .where(eq(items.id, id));
    if (patch.packUnits) {
      await tx.delete(itemUnits).where(eq(itemUnits.itemId, id));
      if (packUnits.length) await tx.insert(itemUnits).values(unitRows(id, packUnits));
    }
    return detailOf(tx, await loadItemRow(tx, id));
  }).catch(uniqueItem());
}

/**
 * A GTIN marks one item: as its main GTIN (items.gtin) or as one of its further GTINs
 * (item_gtins). 409 gtin_taken naming the item that has it; `selfId` may have it already.
 */
export async function assertGtinFree(tx: Tx, gtin: string, selfId?: string) {
  const r = await tx.execute<{ id: string; code: string }>(sql`
    select i.id, i.code from items i
     where (i.gtin = ${gtin} or exists (select 1 from item_gtins g where g.item_id = i.id and g.gtin = ${gtin}))
     limit 1`);
  const owner = r.rows[0];
  if (owner && owner.id !== selfId) {
    throw conflict('gtin_taken', `GTIN ${gtin} already belongs to item ${owner.code}.`, {
      gtin,
      itemCode: owner.code,
    });
  }
  return owner !== undefined;
}

/**
 * Links a further GTIN to an item — typically one a scanner just read and nobody knew — with the
 * pack unit it marks (a box's GTIN differs from a piece's). Linking the same GTIN again to the
 * same item is a no-op that may change the unit.
 */
export async function linkGtin(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  input: { gtin: string; unit?: string | null },
) {
  const gtin = gtinOf(input.gtin)!;
  const { detail, deliveryIds } = await withTenantDb(deps.database.db, auth, async (tx) => {
    const item = await loadItemRow(tx, id, { forUpdate: true });
    const unit = input.unit && input.unit !== item.base_unit ? input.unit : null;
    if (unit && !item.pack_units.some((p) => p.code === unit)) {
      throw unprocessable(
        'gtin_unit_unknown',
        `Item ${item.code} has no unit '${unit}'.`,
        [{ field: 'body:/unit', message: 'unknown unit', code: 'gtin_unit_unknown' }],
        { itemCode: item.code, unit },
      );
    }
    await assertGtinFree(tx, gtin, id);
    let ids: string[] = [];
    if (item.gtin !== gtin) {
      await tx.execute(sql`
        insert into item_gtins (gtin, item_id, unit_code, created_by)
        values (${gtin}, ${id}, ${unit}, ${auth.userId})
        on conflict (gtin) do update set unit_code = excluded.unit_code`);
      await tx.execute(sql`update items set updated_at = now() where id = ${id}`);
      // Scanners and an HIS that map barcodes learn the new one.
      ids = (
        await emitEvent(tx, 'item.gtin_linked', {
          itemId: id,
          itemCode: item.code,
          gtin,
          unit: unit ?? item.base_unit,
          linkedBy: auth.userId ?? auth.apiKeyId,
        })
      ).deliveryIds;
    }
    return { detail: await detailOf(tx, await loadItemRow(tx, id)), deliveryIds: ids };
  }).catch(uniqueItem());
  await enqueueDeliveries(deps, auth.organizationId, deliveryIds);
  return detail;
}

/** Unlinks a further GTIN (the main GTIN is changed with PATCH gtin). 404 when the item lacks it. */
export async function unlinkGtin(deps: AppDeps, auth: AuthContext, id: string, gtin: string) {
  const normal = gtinOf(gtin)!;
  await withTenantDb(deps.database.db, auth, async (tx) => {
    await loadItemRow(tx, id);
    const r = await tx.execute(
      sql`delete from item_gtins where item_id = ${id} and gtin = ${normal} returning gtin`,
    );
    if (r.rows.length === 0) throw notFound('The GTIN');
  });
}

async function assertBaseUnitFree(tx: Tx, itemId: string, baseUnit: string) {
  const r = await tx.execute(sql`
    select 1 where exists (select 1 from movements where item_id = ${itemId})
                or exists (select 1 from stock where item_id = ${itemId})
                or exists (select 1 from par_levels where item_id = ${itemId})`);
  if (r.rows.length > 0) {
    throw conflict(
      'base_unit_in_use',
      `The item already has stock, movements or par levels counted in '${baseUnit}'; changing the base unit would rescale them. Create a new item instead.`,
      { baseUnit },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Unit conversion

/** What `quantity` of `unit` is in base units, and how it breaks down into whole packs. */
export async function convertQuantity(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  quantity: number,
  unit?: string,
) {
  const row = await withTenantDb(deps.database.db, auth, (tx) => loadItemRow(tx, id));
  const units = itemUnitsOf(row);
  const unitCode = unit ?? row.base_unit;
  let baseQuantity: number;
  try {
    baseQuantity = toBaseQuantity(units, quantity, unitCode);
  } catch (err) {
    if (!(err instanceof UnitConversionError)) throw err;
    const field: FieldError = {
      field: err.code === 'units.unknown_unit' ? 'querystring:/unit' : 'querystring:/quantity',
      message: err.message,
      code: err.code,
    };
    throw unprocessable(err.code.replace('.', '_'), err.message, [field], {
      ...(err.unit === undefined ? {} : { unit: err.unit }),
      ...(err.quantity === undefined ? {} : { quantity: err.quantity }),
    });
  }
  return {
    itemId: row.id,
    quantity,
    unit: unitCode,
    baseQuantity,
    baseUnit: row.base_unit,
    breakdown: fromBaseQuantity(units, baseQuantity),
    text: { zh: formatQuantity(units, baseQuantity, 'zh'), en: formatQuantity(units, baseQuantity, 'en') },
  };
}
