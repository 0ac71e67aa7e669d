import { UnitConversionError, unitFactor } from '@medstock/core';
import { type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { notFound, unprocessable } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { itemUnitsOf, loadItemRow } from '../items/item.queries.ts';

type TermRow = {
  item_id: string;
  supplier_id: string;
  supplier_code: string;
  supplier_name: string;
  supplier_active: boolean;
  supplier_item_code: string | null;
  pack_price: number;
  pack_size: number;
  moq_packs: number;
  nominal_lead_time_days: number | null;
  effective_lead_time_days: number;
  preferred: boolean;
};

const TERM_SELECT = sql`
  select t.item_id, t.supplier_id, s.code as supplier_code, s.name as supplier_name, s.active as supplier_active,
         t.supplier_item_code, t.pack_price::float8 as pack_price, t.pack_size, t.moq_packs,
         t.nominal_lead_time_days::float8 as nominal_lead_time_days,
         coalesce(t.nominal_lead_time_days, s.nominal_lead_time_days)::float8 as effective_lead_time_days, t.preferred
    from item_suppliers t join suppliers s on s.id = t.supplier_id`;

export function termView(r: TermRow) {
  return {
    itemId: r.item_id,
    supplierId: r.supplier_id,
    supplierCode: r.supplier_code,
    supplierName: r.supplier_name,
    supplierActive: r.supplier_active,
    supplierItemCode: r.supplier_item_code,
    packPrice: r.pack_price,
    packSize: r.pack_size,
    moqPacks: r.moq_packs,
    nominalLeadTimeDays: r.nominal_lead_time_days,
    effectiveLeadTimeDays: r.effective_lead_time_days,
    preferred: r.preferred,
    unitPrice: Math.round((r.pack_price / r.pack_size) * 10_000) / 10_000,
  };
}

/** An item's supplier terms, preferred first. */
export async function termsOfItem(tx: Tx, itemId: string) {
  const r = await tx.execute<TermRow>(
    sql`${TERM_SELECT} where t.item_id = ${itemId} order by t.preferred desc, s.code`,
  );
  return r.rows.map(termView);
}

export interface TermInput {
  packPrice: number;
  packSize?: number;
  packUnit?: string;
  moqPacks?: number;
  nominalLeadTimeDays?: number | null;
  preferred?: boolean;
  supplierItemCode?: string | null;
}

/**
 * Creates or replaces the terms on which a supplier sells an item (PUT: omitted fields take their
 * defaults). Marking one supplier preferred un-marks the others in the same transaction, under a
 * lock on the item so two concurrent "preferred" requests cannot both win.
 */
export async function putTerm(
  deps: AppDeps,
  auth: AuthContext,
  itemId: string,
  supplierId: string,
  input: TermInput,
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const item = await loadItemRow(tx, itemId, { forUpdate: true });
    const supplier = await tx.execute(sql`select 1 from suppliers where id = ${supplierId}`);
    if (supplier.rows.length === 0) throw notFound('The supplier');
    const packSize = resolvePackSize(itemUnitsOf(item), input);
    const preferred = input.preferred ?? false;
    if (preferred) {
      await tx.execute(
        sql`update item_suppliers set preferred = false where item_id = ${itemId} and supplier_id <> ${supplierId} and preferred`,
      );
    }
    const r = await tx.execute<{ created: boolean }>(sql`
      insert into item_suppliers (item_id, supplier_id, supplier_item_code, pack_price, pack_size, moq_packs, nominal_lead_time_days, preferred)
      values (${itemId}, ${supplierId}, ${input.supplierItemCode ?? null}, ${input.packPrice}, ${packSize}, ${input.moqPacks ?? 1},
              ${input.nominalLeadTimeDays ?? null}, ${preferred})
      on conflict (item_id, supplier_id) do update set
        supplier_item_code = excluded.supplier_item_code, pack_price = excluded.pack_price, pack_size = excluded.pack_size,
        moq_packs = excluded.moq_packs, nominal_lead_time_days = excluded.nominal_lead_time_days, preferred = excluded.preferred
      returning (xmax = 0) as created`);
    const [term] = (
      await tx.execute<TermRow>(
        sql`${TERM_SELECT} where t.item_id = ${itemId} and t.supplier_id = ${supplierId}`,
      )
    ).rows;
    return { created: r.rows[0]!.created, term: termView(term!) };
  });
}

/** packSize in base units, given directly or as one of the item's units (box → its factor). */
function resolvePackSize(units: ReturnType<typeof itemUnitsOf>, input: TermInput): number {
  if (input.packUnit === undefined) return input.packSize ?? 1;
  let factor: number;
  try {
    factor = unitFactor(units, input.packUnit);
  } catch (err) {
    if (!(err instanceof UnitConversionError)) throw err;
    throw unprocessable(
      'units_unknown_unit',
      err.message,
      [{ field: 'body:/packUnit', message: err.message, code: err.code }],
      { unit: err.unit ?? input.packUnit },
    );
  }
  if (input.packSize !== undefined && input.packSize !== factor) {
    throw unprocessable(
      'pack_size_mismatch',
      `packSize ${input.packSize} differs from one ${input.packUnit} (${factor} ${units.baseUnit.code}).`,
      [{ field: 'body:/packSize', message: `one ${input.packUnit} is ${factor}` }],
      { packSize: input.packSize, packUnit: input.packUnit, factor, baseUnit: units.baseUnit.code },
    );
  }
  return factor;
}

export async function deleteTerm(
  deps: AppDeps,
  auth: AuthContext,
  itemId: string,
  supplierId: string,
): Promise<void> {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute(
      sql`delete from item_suppliers where item_id = ${itemId} and supplier_id = ${supplierId} returning item_id`,
    ),
  );
  if (r.rows.length === 0) throw notFound('The supplier terms');
}
