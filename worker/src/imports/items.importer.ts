import { type RowMessageCode, type RowReason, rowReason } from '@medstock/contracts/imports/row-messages.ts';
import {
  ITEM_CODE_MAX_LENGTH,
  isCategoryCode,
  isItemCode,
  normaliseGtin,
  type PackUnit,
  planLimitDetail,
  type UnitIssueCode,
  unitFromWord,
  validatePackUnits,
} from '@medstock/core';
import { lockPlanUsage } from '@medstock/db';
import { sql } from 'drizzle-orm';
import {
  APPLY_BATCH,
  type ApplyContext,
  ApplyRowError,
  columnIndex,
  type KindImporter,
  type ValidateContext,
} from './importer.ts';
import { parseBoolean, parseNonNegative } from './parse-values.ts';
import type { ImportRow } from './read-rows.ts';

const C = columnIndex('items');
const VED = new Set(['V', 'E', 'D']);
// The words of core's pack-unit checks.
const PACK_ISSUE: Record<UnitIssueCode, RowMessageCode> = {
  'units.bad_code': 'pack_unit_code',
  'units.duplicate_code': 'pack_unit_duplicate',
  'units.bad_factor': 'pack_unit_factor',
  'units.unknown_contains': 'pack_unit_nesting',
  'units.not_multiple': 'pack_unit_nesting',
};
const STORAGE = new Set(['room', 'cool', 'cold', 'frozen']);

/** An item as the file gives it; null means "not given": keep the current value (or the default). */
interface ItemInput {
  code: string;
  name_zh: string | null;
  name_en: string | null;
  specification: string | null;
  category: string | null;
  base_unit: string;
  base_unit_zh: string;
  base_unit_en: string;
  gtin: string | null;
  manufacturer: string | null;
  ved: string | null;
  storage: string | null;
  substitute_group: string | null;
  unit_cost: number | null;
  typical_monthly_usage: number | null;
  lot_tracked: boolean | null;
  active: boolean | null;
  packUnits: PackUnit[] | null;
}

const ITEM_RECORD = sql.raw(
  'code text, name_zh text, name_en text, specification text, category text, base_unit text, base_unit_zh text, base_unit_en text, gtin text, manufacturer text, ' +
    'ved text, storage text, substitute_group text, unit_cost numeric, typical_monthly_usage numeric, lot_tracked boolean, active boolean',
);

const text = (s: string) => (s === '' ? null : s);

/**
 * Catalogue items, created or updated by code. Empty cells keep what an existing item has (or
 * take the default on a new one), so a file with only code, names and base unit never wipes
 * prices or GTINs. A base unit never changes: every stored quantity is counted in it.
 */
export async function createItemsImporter(ctx: ValidateContext): Promise<KindImporter> {
  const seenCodes = new Map<string, number>();
  /** Lines that create an item (their code is not in the catalogue yet), in file order. */
  const newItemLines: number[] = [];
  const seenGtins = new Map<string, { code: string; line: number }>();
  const gtinOwner = new Map<string, string>();
  for (const item of ctx.refs.items.values()) if (item.gtin) gtinOwner.set(item.gtin, item.code);

  function resolve(row: ImportRow, report: boolean): ItemInput | null {
    const v = row.values;
    let bad = false;
    const err = (field: string, reason: RowReason) => {
      bad = true;
      if (report) ctx.error(row.line, field, reason);
    };
    const code = v[C.code!]!;
    if (!isItemCode(code))
      err('code', rowReason('not_item_code', { value: code, max: ITEM_CODE_MAX_LENGTH }));
    const nameZh = v[C.name_zh!]!;
    const nameEn = v[C.name_en!]!;
    const existing = ctx.refs.items.get(code);
    if (!existing && nameZh === '' && nameEn === '') err('name_zh', rowReason('new_item_needs_name'));
    if (nameZh.length > 300) err('name_zh', rowReason('too_long', { max: 300 }));
    if (nameEn.length > 300) err('name_en', rowReason('too_long', { max: 300 }));
    const category = text(v[C.category!]!);
    if (category !== null && !isCategoryCode(category))
      err('category', rowReason('unknown_category', { value: category }));
    // A unit may be written as a code (piece) or a word (支): the word is kept as its label.
    const base = unitFromWord(v[C.base_unit!]!);
    const baseUnit = base?.code ?? v[C.base_unit!]!;
    if (!base) err('base_unit', rowReason('not_a_unit', { value: baseUnit }));
    else if (existing && existing.baseUnit !== baseUnit) {
      err('base_unit', rowReason('base_unit_fixed', { item: code, unit: existing.baseUnit }));
    }
    let packUnits: PackUnit[] | null = null;
    if (v[C.pack_units!]) {
      packUnits = [];
      for (const part of v[C.pack_units!]!.split(';')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const m = /^([^=:：\s]+)\s*[=:：]\s*(\d+)$/.exec(part);
        const pack = m ? unitFromWord(m[1]!) : null;
        if (!m || !pack) {
          err('pack_units', rowReason('pack_unit_format', { value: part }));
          continue;
        }
        packUnits.push({ ...pack, factor: Number(m[2]) });
      }
      for (const issue of validatePackUnits({ baseUnit: { code: baseUnit }, packUnits }))
        err('pack_units', rowReason(PACK_ISSUE[issue.code], { detail: issue.message }));
    }
    let gtin: string | null = null;
    if (v[C.gtin!]) {
      try {
        gtin = normaliseGtin(v[C.gtin!]!);
      } catch (e) {
        err('gtin', rowReason('gtin_invalid', { detail: (e as Error).message, value: v[C.gtin!]! }));
      }
    }
    const ved = text(v[C.ved!]!.toUpperCase());
    if (ved !== null && !VED.has(ved)) err('ved', rowReason('not_ved', { value: v[C.ved!]! }));
    const storage = text(v[C.storage!]!.toLowerCase());
    if (storage !== null && !STORAGE.has(storage))
      err('storage', rowReason('not_storage', { value: v[C.storage!]! }));
    let unitCost: number | null = null;
    if (v[C.unit_cost!]) {
      const c = parseNonNegative(v[C.unit_cost!]!);
      if (c.ok) unitCost = c.value;
      else err('unit_cost', c.reason);
    }
    let typicalUsage: number | null = null;
    if (C.typical_monthly_usage !== undefined && v[C.typical_monthly_usage]) {
      const u = parseNonNegative(v[C.typical_monthly_usage]!);
      if (u.ok) typicalUsage = u.value;
      else err('typical_monthly_usage', u.reason);
    }
    const bool = (field: string): boolean | null => {
      const s = v[C[field]!]!;
      if (s === '') return null;
      const b = parseBoolean(s);
      if (!b.ok) err(field, b.reason);
      return b.ok ? b.value : null;
    };
    const lotTracked = bool('lot_tracked');
    const active = bool('active');
    if (bad) return null;
    return {
      code,
      // A new item needs both names: the one given stands in for the other.
      name_zh: text(nameZh) ?? (existing ? null : text(nameEn)),
      name_en: text(nameEn) ?? (existing ? null : text(nameZh)),
      specification: text(v[C.specification!]!),
      category,
      base_unit: baseUnit,
      base_unit_zh: base?.zh ?? '',
      base_unit_en: base?.en ?? '',
      gtin,
      manufacturer: text(v[C.manufacturer!]!),
      ved,
      storage,
      substitute_group: text(v[C.substitute_group!]!),
      unit_cost: unitCost,
      typical_monthly_usage: typicalUsage,
      lot_tracked: lotTracked,
      active,
      packUnits,
    };
  }

  /**
   * The plan's item limit, checked in the apply transaction before anything is written: the lock
   * taken by lockPlanUsage holds until this import commits, so a concurrent import or item create
   * counts this one's items. Over the limit, the whole file is refused at the first line too many.
   */
  async function assertWithinItemLimit(a: ApplyContext) {
    if (!ctx.enforcePlanLimits || newItemLines.length === 0) return;
    const usage = await lockPlanUsage(a.tx, ctx.organizationId, 'items');
    if (!usage || usage.used + newItemLines.length <= usage.limit) return;
    const room = Math.max(0, usage.limit - usage.used);
    throw new ApplyRowError(
      newItemLines[room]!,
      'code',
      rowReason('plan_item_limit', {
        count: newItemLines.length,
        over: usage.used + newItemLines.length - usage.limit,
        detail: planLimitDetail(usage.plan, 'items', usage.limit, usage.used),
      }),
    );
  }

  return {
    validate(row) {
      const item = resolve(row, true);
      if (!item) return;
      const first = seenCodes.get(item.code);
      if (first !== undefined)
        ctx.error(row.line, 'code', rowReason('item_twice', { item: item.code, line: first }));
      else {
        seenCodes.set(item.code, row.line);
        if (!ctx.refs.items.has(item.code)) newItemLines.push(row.line);
      }
      if (item.gtin) {
        const dup = seenGtins.get(item.gtin);
        const owner = gtinOwner.get(item.gtin);
        if (dup && dup.code !== item.code)
          ctx.error(
            row.line,
            'gtin',
            rowReason('gtin_twice', { gtin: item.gtin, item: dup.code, line: dup.line }),
          );
        else if (owner && owner !== item.code)
          ctx.error(row.line, 'gtin', rowReason('gtin_taken', { gtin: item.gtin, item: owner }));
        else seenGtins.set(item.gtin, { code: item.code, line: row.line });
      }
    },
    async finishValidation() {},
    async apply(a: ApplyContext) {
      await assertWithinItemLimit(a);
      let created = 0;
      let updated = 0;
      let applied = 0;
      let batch: ItemInput[] = [];
      const flush = async () => {
        if (!batch.length) return;
        // Codes known at validation are updated (empty cells keep the value), the rest inserted.
        const toUpdate = batch.filter((i) => ctx.refs.items.has(i.code)).map(({ packUnits: _p, ...r }) => r);
        const toInsert = batch.filter((i) => !ctx.refs.items.has(i.code)).map(({ packUnits: _p, ...r }) => r);
        const ids = new Map<string, string>();
        if (toUpdate.length) {
          const r = await a.tx.execute<{ id: string; code: string }>(sql`
            update items i set
              name_zh = coalesce(x.name_zh, i.name_zh), name_en = coalesce(x.name_en, i.name_en),
              specification = coalesce(x.specification, i.specification), category = coalesce(x.category, i.category),
              gtin = coalesce(x.gtin, i.gtin), manufacturer = coalesce(x.manufacturer, i.manufacturer),
              ved = coalesce(x.ved, i.ved), storage = coalesce(x.storage, i.storage),
              substitute_group = coalesce(x.substitute_group, i.substitute_group), unit_cost = coalesce(x.unit_cost, i.unit_cost),
              typical_monthly_usage = coalesce(x.typical_monthly_usage, i.typical_monthly_usage),
              lot_tracked = coalesce(x.lot_tracked, i.lot_tracked), active = coalesce(x.active, i.active),
              base_unit_zh = case when i.base_unit_zh = '' then x.base_unit_zh else i.base_unit_zh end,
              base_unit_en = case when i.base_unit_en = '' then x.base_unit_en else i.base_unit_en end, updated_at = now()
              from jsonb_to_recordset(${JSON.stringify(toUpdate)}::jsonb) as x(${ITEM_RECORD})
             where i.code = x.code
            returning i.id, i.code`);
          for (const row of r.rows) ids.set(row.code, row.id);
          updated += r.rows.length;
        }
        if (toInsert.length) {
          const r = await a.tx.execute<{ id: string; code: string }>(sql`
            insert into items (code, name_zh, name_en, specification, category, base_unit, base_unit_zh, base_unit_en, gtin, manufacturer, ved, storage,
                               substitute_group, unit_cost, typical_monthly_usage, lot_tracked, active)
            select x.code, x.name_zh, x.name_en, coalesce(x.specification, ''), coalesce(x.category, 'general'), x.base_unit,
                   x.base_unit_zh, x.base_unit_en, x.gtin, x.manufacturer, coalesce(x.ved, 'E'), coalesce(x.storage, 'room'), x.substitute_group,
                   coalesce(x.unit_cost, 0), x.typical_monthly_usage, coalesce(x.lot_tracked, true), coalesce(x.active, true)
              from jsonb_to_recordset(${JSON.stringify(toInsert)}::jsonb) as x(${ITEM_RECORD})
            returning id, code`);
          for (const row of r.rows) ids.set(row.code, row.id);
          created += r.rows.length;
        }
        // Pack units given in the file replace the item's; an empty cell leaves them as they are.
        const withUnits = batch.filter((i) => i.packUnits !== null);
        if (withUnits.length) {
          await a.tx.execute(
            sql`delete from item_units where item_id = any(${sql.param(withUnits.map((i) => ids.get(i.code)!))}::uuid[])`,
          );
          const units = withUnits.flatMap((i) =>
            i.packUnits!.map((p) => ({
              item_id: ids.get(i.code)!,
              code: p.code,
              factor: p.factor,
              name_zh: p.zh ?? '',
              name_en: p.en ?? '',
            })),
          );
          if (units.length) {
            await a.tx.execute(sql`
              insert into item_units (item_id, code, factor, name_zh, name_en)
              select x.item_id, x.code, x.factor, x.name_zh, x.name_en
                from jsonb_to_recordset(${JSON.stringify(units)}::jsonb) as x(item_id uuid, code text, factor integer, name_zh text, name_en text)`);
          }
        }
        applied += batch.length;
        batch = [];
        await a.progress(applied);
      };
      for await (const row of a.rows()) {
        const item = resolve(row, false);
        if (!item) throw new ApplyRowError(row.line, 'row', rowReason('row_changed'));
        batch.push(item);
        if (batch.length >= APPLY_BATCH) await flush();
      }
      await flush();
      return { created, updated };
    },
    async dispose() {},
  };
}
