import type { CatalogueTemplate } from '@medstock/core';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Db } from '../pool.ts';

/** Anything that runs SQL in a tenant-bound transaction: a Drizzle transaction or database. */
export type SqlRunner = Pick<Db, 'execute'>;

export interface ApplyTemplateResult {
  templateCode: string;
  /** Items in the template. */
  templateItems: number;
  /** Items created in the tenant now. */
  created: number;
  /** templateItems − created: the code already exists, or the GTIN is taken by another item. */
  skipped: number;
  /** Codes of template items skipped because another item of the tenant already has their GTIN. */
  skippedGtinInUse: string[];
}

export interface ApplyTemplateOptions {
  /** Called once with the number of items about to be created (e.g. to enforce a plan limit). */
  beforeInsert?: (toCreate: number) => Promise<void>;
}

/**
 * Adds the template's items (and their pack units) to the tenant bound to `db`, matching by item
 * code. Rules, so a re-apply never surprises a storekeeper:
 * - an item whose code exists is left exactly as it is (names, prices, units, active flag): the
 *   tenant's edits win over the template, and a deactivated item stays deactivated;
 * - an item whose GTIN already belongs to another item is skipped too: it is the same product
 *   under another code (templates share GTINs for shared products), and GTINs are unique;
 * - so applying twice creates nothing the second time.
 * Three statements whatever the template size (one lookup, one insert of all items, one insert of
 * all pack units) so a 400-item template costs the same round trips as a 4-item one. Concurrent
 * applies are safe: `on conflict do nothing` makes the loser skip what the winner created.
 */
export async function applyCatalogueTemplate(
  db: SqlRunner,
  template: CatalogueTemplate,
  options: ApplyTemplateOptions = {},
): Promise<ApplyTemplateResult> {
  const codes = template.items.map((i) => i.code);
  const gtins = template.items.flatMap((i) => (i.gtin ? [i.gtin] : []));
  const existing = await db.execute<{ code: string; gtin: string | null }>(sql`
    select code, gtin from items
     where code = any(${sql.param(codes)}::text[]) or gtin = any(${sql.param(gtins)}::text[])`);
  const existingCodes = new Set(existing.rows.map((r) => r.code));
  const takenGtins = new Set(existing.rows.flatMap((r) => (r.gtin ? [r.gtin] : [])));
  const missing = template.items.filter((i) => !existingCodes.has(i.code));
  const skippedGtinInUse = missing.filter((i) => i.gtin && takenGtins.has(i.gtin)).map((i) => i.code);
  const blocked = new Set(skippedGtinInUse);
  const toCreate = missing.filter((i) => !blocked.has(i.code));

  await options.beforeInsert?.(toCreate.length);
  let created = 0;
  if (toCreate.length > 0) {
    const rows = toCreate.map((i) => ({
      code: i.code,
      name_zh: i.name.zh,
      name_en: i.name.en,
      specification: i.specification,
      category: i.category,
      base_unit: i.baseUnit.code,
      base_unit_zh: i.baseUnit.zh,
      base_unit_en: i.baseUnit.en,
      gtin: i.gtin ?? null,
      ved: i.ved,
      storage: i.storage,
      substitute_group: i.substituteGroup ?? null,
      unit_cost: i.unitCost,
      typical_monthly_usage: i.typicalMonthlyUsage ?? null,
    }));
    const inserted = await db.execute<{ id: string; code: string }>(sql`
      insert into items (code, name_zh, name_en, specification, category, base_unit, base_unit_zh, base_unit_en,
                         gtin, ved, storage, substitute_group, unit_cost, typical_monthly_usage, template_code)
      select x.code, x.name_zh, x.name_en, x.specification, x.category, x.base_unit, x.base_unit_zh, x.base_unit_en,
             x.gtin, x.ved, x.storage, x.substitute_group, x.unit_cost, x.typical_monthly_usage, ${template.code}
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
               code text, name_zh text, name_en text, specification text, category text, base_unit text,
               base_unit_zh text, base_unit_en text, gtin text, ved text, storage text, substitute_group text,
               unit_cost numeric, typical_monthly_usage numeric)
      on conflict do nothing
      returning id, code`);
    created = inserted.rows.length;
    const idOf = new Map(inserted.rows.map((r) => [r.code, r.id]));
    const units = toCreate.flatMap((i) => {
      const itemId = idOf.get(i.code);
      if (!itemId) return [];
      return i.packUnits.map((p) => ({
        item_id: itemId,
        code: p.code,
        name_zh: p.zh,
        name_en: p.en,
        factor: p.factor,
      }));
    });
    // A box and a case carry GTINs of their own: a scan of one finds the item and counts in that
    // pack (item_gtins.unit_code). A GTIN another item already holds (as its main one or linked)
    // is left where it is. Pack units and their GTINs go in one statement.
    const packGtins = toCreate.flatMap((i) => {
      const itemId = idOf.get(i.code);
      if (!itemId) return [];
      return i.packUnits.flatMap((p) =>
        p.gtin ? [{ gtin: p.gtin, item_id: itemId, unit_code: p.code }] : [],
      );
    });
    if (units.length > 0 || packGtins.length > 0) {
      await db.execute(sql`
        with units as (
          insert into item_units (item_id, code, name_zh, name_en, factor)
          select x.item_id, x.code, x.name_zh, x.name_en, x.factor
            from jsonb_to_recordset(${JSON.stringify(units)}::jsonb) as x(item_id uuid, code text, name_zh text, name_en text, factor integer)
          on conflict do nothing
          returning 1)
        insert into item_gtins (gtin, item_id, unit_code)
        select x.gtin, x.item_id, x.unit_code
          from jsonb_to_recordset(${JSON.stringify(packGtins)}::jsonb) as x(gtin text, item_id uuid, unit_code text)
         where not exists (select 1 from items i where i.gtin = x.gtin)
        on conflict do nothing`);
    }
  }
  return {
    templateCode: template.code,
    templateItems: template.items.length,
    created,
    skipped: template.items.length - created,
    skippedGtinInUse,
  };
}

/**
 * The same on a raw pg client whose transaction already has the tenant's search_path (the
 * provisioning transaction of sign-up).
 */
export function applyCatalogueTemplateOnClient(
  client: pg.PoolClient,
  template: CatalogueTemplate,
  options: ApplyTemplateOptions = {},
): Promise<ApplyTemplateResult> {
  return applyCatalogueTemplate(drizzle({ client }), template, options);
}
