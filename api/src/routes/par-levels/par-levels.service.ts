import { toBaseQuantity, UnitConversionError } from '@medstock/core';
import { type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { notFound, unprocessable } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { itemUnitsOf, loadItemRow } from '../items/item.queries.ts';

type ParRow = {
  location_id: string;
  site_id: string;
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  min_qty: number;
  max_qty: number | null;
};

const PAR_SELECT = sql`
  select p.location_id, l.site_id, p.item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit, p.min_qty, p.max_qty
    from par_levels p join locations l on l.id = p.location_id join items i on i.id = p.item_id`;

const parView = (r: ParRow) => ({
  locationId: r.location_id,
  siteId: r.site_id,
  itemId: r.item_id,
  itemCode: r.item_code,
  nameZh: r.name_zh,
  nameEn: r.name_en,
  baseUnit: r.base_unit,
  minQty: r.min_qty,
  maxQty: r.max_qty,
});

/** A location outside the caller's sites is reported as not found, like one that does not exist. */
async function visibleLocation(tx: Tx, auth: AuthContext, locationId: string): Promise<string> {
  const r = await tx.execute<{ site_id: string }>(
    sql`select site_id from locations where id = ${locationId}`,
  );
  const siteId = r.rows[0]?.site_id;
  if (!siteId) throw notFound('The location');
  assertSiteVisible(auth, siteId, 'The location');
  return siteId;
}

export async function listParLevels(
  deps: AppDeps,
  auth: AuthContext,
  locationId: string,
  limit: number,
  cursor?: string,
) {
  const after = decodeCursor(cursor, ['text']);
  const rows = await withTenantDb(deps.database.db, auth, async (tx) => {
    await visibleLocation(tx, auth, locationId);
    const r = await tx.execute<ParRow>(sql`${PAR_SELECT}
      where p.location_id = ${locationId} ${after ? sql`and i.code > ${String(after[0])}` : sql``}
      order by i.code limit ${limit + 1}`);
    return r.rows;
  });
  const page = paginate(rows, limit, (r) => [r.item_code]);
  return { items: page.items.map(parView), nextCursor: page.nextCursor };
}

export interface ParInput {
  minQty: number;
  maxQty?: number | null;
  unit?: string;
}

/** Sets an item's min/max at a location; quantities in `unit` are stored in base units. */
export async function putParLevel(
  deps: AppDeps,
  auth: AuthContext,
  locationId: string,
  itemId: string,
  input: ParInput,
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    await visibleLocation(tx, auth, locationId);
    const item = await loadItemRow(tx, itemId);
    if (!item.active) {
      throw unprocessable(
        'item_inactive',
        `Item ${item.code} is deactivated; reactivate it before setting a par level.`,
        [{ field: 'params:/itemId', message: 'inactive item' }],
        { itemCode: item.code },
      );
    }
    const units = itemUnitsOf(item);
    const unit = input.unit ?? item.base_unit;
    const toBase = (q: number, field: string) => {
      try {
        return toBaseQuantity(units, q, unit);
      } catch (err) {
        if (!(err instanceof UnitConversionError)) throw err;
        const at = err.code === 'units.unknown_unit' ? 'body:/unit' : `body:/${field}`;
        throw unprocessable(
          err.code.replace('.', '_'),
          err.message,
          [{ field: at, message: err.message, code: err.code }],
          {
            ...(err.unit === undefined ? {} : { unit: err.unit }),
            ...(err.quantity === undefined ? {} : { quantity: err.quantity }),
          },
        );
      }
    };
    const minQty = toBase(input.minQty, 'minQty');
    const maxQty = input.maxQty == null ? null : toBase(input.maxQty, 'maxQty');
    if (maxQty !== null && maxQty < minQty) {
      throw unprocessable(
        'max_below_min',
        `maxQty (${maxQty}) is below minQty (${minQty}).`,
        [{ field: 'body:/maxQty', message: 'must be at least minQty' }],
        { minQty, maxQty },
      );
    }
    const r = await tx.execute<{ created: boolean }>(sql`
      insert into par_levels (location_id, item_id, min_qty, max_qty) values (${locationId}, ${itemId}, ${minQty}, ${maxQty})
      on conflict (location_id, item_id) do update set min_qty = excluded.min_qty, max_qty = excluded.max_qty
      returning (xmax = 0) as created`);
    const [row] = (
      await tx.execute<ParRow>(
        sql`${PAR_SELECT} where p.location_id = ${locationId} and p.item_id = ${itemId}`,
      )
    ).rows;
    return { created: r.rows[0]!.created, parLevel: parView(row!) };
  });
}

export async function deleteParLevel(
  deps: AppDeps,
  auth: AuthContext,
  locationId: string,
  itemId: string,
): Promise<void> {
  await withTenantDb(deps.database.db, auth, async (tx) => {
    await visibleLocation(tx, auth, locationId);
    const r = await tx.execute(
      sql`delete from par_levels where location_id = ${locationId} and item_id = ${itemId} returning item_id`,
    );
    if (r.rows.length === 0) throw notFound('The par level');
  });
}
