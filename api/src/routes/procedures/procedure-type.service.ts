import { type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { conflict, notFound } from '../../lib/problem.ts';
import { isoRequired } from '../../lib/schemas.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { type ItemQuantityInput, resolveItemLines } from '../purchase-orders/lookups.ts';

type KitItemJson = {
  itemId: string;
  itemCode: string;
  nameZh: string;
  nameEn: string;
  baseUnit: string;
  baseUnitName: { zh: string; en: string };
  quantity: number;
};
type ProcedureTypeRow = {
  id: string;
  code: string;
  name_zh: string;
  name_en: string;
  created_at: Date | string;
  kit: KitItemJson[] | null;
};

const PT_SELECT = sql`
  select pt.id, pt.code, pt.name_zh, pt.name_en, pt.created_at,
         (select json_agg(json_build_object('itemId', k.item_id, 'itemCode', i.code, 'nameZh', i.name_zh, 'nameEn', i.name_en,
                                            'baseUnit', i.base_unit,
                                            'baseUnitName', json_build_object('zh', coalesce(nullif(i.base_unit_zh, ''), i.base_unit),
                                                                              'en', coalesce(nullif(i.base_unit_en, ''), i.base_unit)),
                                            'quantity', k.quantity) order by i.code)
            from procedure_kit_items k join items i on i.id = k.item_id where k.procedure_type_id = pt.id) as kit
    from procedure_types pt`;

export function procedureTypeView(r: ProcedureTypeRow) {
  return {
    id: r.id,
    code: r.code,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    createdAt: isoRequired(r.created_at),
    kit: (r.kit ?? []).map((k) => ({ ...k, quantity: Number(k.quantity) })),
  };
}

async function loadProcedureType(tx: Tx, id: string) {
  const r = await tx.execute<ProcedureTypeRow>(sql`${PT_SELECT} where pt.id = ${id}`);
  if (!r.rows[0]) throw notFound('The procedure type');
  return procedureTypeView(r.rows[0]);
}

/** Replaces the kit: quantities given in any pack unit are stored in base units. */
async function writeKit(tx: Tx, procedureTypeId: string, kit: readonly ItemQuantityInput[], pointer: string) {
  const lines = await resolveItemLines(tx, kit, pointer);
  await tx.execute(sql`delete from procedure_kit_items where procedure_type_id = ${procedureTypeId}`);
  if (lines.length === 0) return;
  await tx.execute(sql`
    insert into procedure_kit_items (procedure_type_id, item_id, quantity)
    select ${procedureTypeId}::uuid, x.item_id, x.quantity
      from unnest(${sql.param(lines.map((l) => l.item.id))}::uuid[], ${sql.param(lines.map((l) => l.baseQuantity))}::bigint[]) as x(item_id, quantity)`);
}

export async function createProcedureType(
  deps: AppDeps,
  auth: AuthContext,
  input: { code: string; nameZh: string; nameEn: string; kit?: ItemQuantityInput[] },
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const taken = await tx.execute(sql`select 1 from procedure_types where code = ${input.code}`);
    if (taken.rowCount)
      throw conflict('code_taken', `A procedure type with code ${input.code} already exists.`, {
        code: input.code,
      });
    const r = await tx.execute<{ id: string }>(sql`
      insert into procedure_types (code, name_zh, name_en) values (${input.code}, ${input.nameZh}, ${input.nameEn}) returning id`);
    const id = r.rows[0]!.id;
    await writeKit(tx, id, input.kit ?? [], 'body:/kit');
    return loadProcedureType(tx, id);
  });
}

export async function replaceKit(deps: AppDeps, auth: AuthContext, id: string, items: ItemQuantityInput[]) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const locked = await tx.execute(sql`select 1 from procedure_types where id = ${id} for update`);
    if (!locked.rowCount) throw notFound('The procedure type');
    await writeKit(tx, id, items, 'body:/items');
    return loadProcedureType(tx, id);
  });
}

export async function getProcedureType(deps: AppDeps, auth: AuthContext, id: string) {
  return withTenantDb(deps.database.db, auth, (tx) => loadProcedureType(tx, id));
}

export async function listProcedureTypes(
  deps: AppDeps,
  auth: AuthContext,
  limit: number,
  afterCode?: string,
) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<ProcedureTypeRow>(sql`
      ${PT_SELECT} ${afterCode !== undefined ? sql`where pt.code > ${afterCode}` : sql``} order by pt.code limit ${limit + 1}`),
  );
  return r.rows;
}
