import type { ItemUnits } from '@medstock/core';
import type { Tx } from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import { notFound, ProblemError, type ProblemParams } from '../../lib/problem.ts';
import { isoRequired } from '../../lib/schemas.ts';

/** One item as the catalogue reads it, pack units aggregated (smallest first). */
export const ITEM_SELECT = sql`
  select i.id, i.code, i.name_zh, i.name_en, i.specification, i.category, i.base_unit, i.base_unit_zh, i.base_unit_en,
         i.gtin, i.nhsa_code, i.udi_di, i.manufacturer, i.ved, i.abc, i.storage, i.substitute_group, i.unit_cost::float8 as unit_cost, i.typical_monthly_usage::float8 as typical_monthly_usage,
         i.lot_tracked, i.active, i.template_code, i.created_at, i.updated_at,
         coalesce((select json_agg(json_build_object('code', u.code, 'zh', u.name_zh, 'en', u.name_en, 'factor', u.factor)
                                   order by u.factor, u.code)
                     from item_units u where u.item_id = i.id), '[]'::json) as pack_units
         , coalesce((select json_agg(json_build_object('gtin', g.gtin, 'unitCode', g.unit_code) order by g.created_at, g.gtin)
                     from item_gtins g where g.item_id = i.id), '[]'::json) as extra_gtins
    from items i`;

export type ItemRow = {
  id: string;
  code: string;
  name_zh: string;
  name_en: string;
  specification: string;
  category: string;
  base_unit: string;
  base_unit_zh: string;
  base_unit_en: string;
  gtin: string | null;
  nhsa_code: string | null;
  udi_di: string | null;
  manufacturer: string | null;
  ved: 'V' | 'E' | 'D';
  abc: 'A' | 'B' | 'C' | null;
  storage: 'room' | 'cool' | 'cold' | 'frozen';
  substitute_group: string | null;
  unit_cost: number;
  typical_monthly_usage: number | null;
  lot_tracked: boolean;
  active: boolean;
  template_code: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  pack_units: { code: string; zh: string; en: string; factor: number }[];
  extra_gtins: { gtin: string; unitCode: string | null }[];
};

export function itemView(r: ItemRow) {
  return {
    id: r.id,
    code: r.code,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    specification: r.specification,
    category: r.category,
    baseUnit: { code: r.base_unit, zh: r.base_unit_zh, en: r.base_unit_en },
    packUnits: r.pack_units,
    gtin: r.gtin,
    gtins: r.extra_gtins,
    nhsaCode: r.nhsa_code,
    udiDi: r.udi_di,
    manufacturer: r.manufacturer,
    ved: r.ved,
    abc: r.abc,
    storage: r.storage,
    substituteGroup: r.substitute_group,
    unitCost: Number(r.unit_cost),
    typicalMonthlyUsage: r.typical_monthly_usage === null ? null : Number(r.typical_monthly_usage),
    lotTracked: r.lot_tracked,
    active: r.active,
    templateCode: r.template_code,
    createdAt: isoRequired(r.created_at),
    updatedAt: isoRequired(r.updated_at),
  };
}

export async function selectItems(tx: Tx, where: SQL, tail: SQL = sql``): Promise<ItemRow[]> {
  const r = await tx.execute<ItemRow>(sql`${ITEM_SELECT} where ${where} ${tail}`);
  return r.rows;
}

/** The item or 404; `forUpdate` locks it so concurrent changes to its units or terms serialise. */
export async function loadItemRow(tx: Tx, id: string, opts: { forUpdate?: boolean } = {}): Promise<ItemRow> {
  if (opts.forUpdate) await tx.execute(sql`select 1 from items where id = ${id} for update`);
  const [row] = await selectItems(tx, sql`i.id = ${id}`);
  if (!row) throw notFound('The item');
  return row;
}

export function itemUnitsOf(row: ItemRow): ItemUnits {
  return {
    baseUnit: { code: row.base_unit, zh: row.base_unit_zh, en: row.base_unit_en },
    packUnits: row.pack_units.map((u) => ({ code: u.code, zh: u.zh, en: u.en, factor: u.factor })),
  };
}

/** Drizzle wraps driver errors: the Postgres error (code, constraint) is on `cause`. */
function pgErrorOf(err: unknown): { code?: string; constraint?: string } {
  const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  return e?.cause?.code ? e.cause : (e ?? {});
}

/**
 * Turns a unique violation into a 409 that names what clashed (a stable code per constraint);
 * anything else is rethrown for the error handler.
 */
export function rethrowUnique(
  messages: Record<string, [code: string, detail: string, params?: ProblemParams, messageKey?: string]>,
) {
  return (err: unknown): never => {
    const pg = pgErrorOf(err);
    const hit = pg.code === '23505' && pg.constraint ? messages[pg.constraint] : undefined;
    if (hit)
      throw new ProblemError(409, hit[0], 'Conflict', hit[1], undefined, {
        params: hit[2] ?? {},
        ...(hit[3] ? { messageKey: hit[3] } : {}),
      });
    throw err;
  };
}
