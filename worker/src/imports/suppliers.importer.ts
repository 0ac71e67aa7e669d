import { type RowReason, rowReason } from '@medstock/contracts/imports/row-messages.ts';
import { sql } from 'drizzle-orm';
import {
  APPLY_BATCH,
  type ApplyContext,
  ApplyRowError,
  columnIndex,
  type KindImporter,
  type ValidateContext,
} from './importer.ts';
import { EMAIL, parseBoolean, parseNonNegative, parsePositiveInt } from './parse-values.ts';
import type { ImportRow } from './read-rows.ts';

const C = columnIndex('suppliers');

interface SupplierInput {
  code: string;
  name: string;
  contact_email: string | null;
  phone: string | null;
  nominal_lead_time_days: number | null;
  active: boolean | null;
}

interface TermsInput {
  item_id: string;
  supplier_item_code: string | null;
  pack_price: number | null;
  pack_size: number | null;
  moq_packs: number | null;
  nominal_lead_time_days: number | null;
  preferred: boolean | null;
}

const text = (s: string) => (s === '' ? null : s);

/**
 * Suppliers by code, and optionally an item's terms with the supplier on the same row (a price
 * list: one row per supplier and item). Empty cells keep what exists. One preferred supplier per
 * item: marking one preferred clears the flag on the item's other suppliers.
 */
export async function createSuppliersImporter(ctx: ValidateContext): Promise<KindImporter> {
  const firstRow = new Map<string, { line: number; name: string }>();
  const pairs = new Map<string, number>();
  const preferredFor = new Map<string, { supplier: string; line: number }>();

  function resolve(
    row: ImportRow,
    report: boolean,
  ): { supplier: SupplierInput; terms: TermsInput | null } | null {
    const v = row.values;
    let bad = false;
    const err = (field: string, reason: RowReason) => {
      bad = true;
      if (report) ctx.error(row.line, field, reason);
    };
    const code = v[C.code!]!;
    if (code.length < 1 || code.length > 60) err('code', rowReason('length_between', { min: 1, max: 60 }));
    const name = v[C.name!]!;
    if (name.length < 1 || name.length > 300) err('name', rowReason('length_between', { min: 1, max: 300 }));
    const email = text(v[C.contact_email!]!);
    if (email !== null && !EMAIL.test(email)) err('contact_email', rowReason('not_email', { value: email }));
    const num = (field: string, parse: typeof parseNonNegative): number | null => {
      const s = v[C[field]!]!;
      if (s === '') return null;
      const r = parse(s);
      if (!r.ok) err(field, r.reason);
      return r.ok ? r.value : null;
    };
    const bool = (field: string): boolean | null => {
      const s = v[C[field]!]!;
      if (s === '') return null;
      const r = parseBoolean(s);
      if (!r.ok) err(field, r.reason);
      return r.ok ? r.value : null;
    };
    const supplier: SupplierInput = {
      code,
      name,
      contact_email: email,
      phone: text(v[C.phone!]!),
      nominal_lead_time_days: num('nominal_lead_time_days', parseNonNegative),
      active: bool('active'),
    };
    let terms: TermsInput | null = null;
    const itemCode = v[C.item_code!]!;
    if (itemCode !== '') {
      const item = ctx.refs.items.get(itemCode);
      if (!item) err('item_code', rowReason('unknown_item', { item: itemCode }));
      terms = {
        item_id: item?.id ?? '',
        supplier_item_code: text(v[C.supplier_item_code!]!),
        pack_price: num('pack_price', parseNonNegative),
        pack_size: num('pack_size', parsePositiveInt),
        moq_packs: num('moq_packs', parsePositiveInt),
        nominal_lead_time_days: num('lead_time_days', parseNonNegative),
        preferred: bool('preferred'),
      };
    } else {
      for (const f of [
        'supplier_item_code',
        'pack_price',
        'pack_size',
        'moq_packs',
        'lead_time_days',
        'preferred',
      ]) {
        if (v[C[f]!]) err(f, rowReason('terms_need_item'));
      }
    }
    return bad ? null : { supplier, terms };
  }

  return {
    validate(row) {
      const r = resolve(row, true);
      if (!r) return;
      const first = firstRow.get(r.supplier.code);
      if (!first) firstRow.set(r.supplier.code, { line: row.line, name: r.supplier.name });
      else if (first.name !== r.supplier.name)
        ctx.error(
          row.line,
          'name',
          rowReason('supplier_named', { supplier: r.supplier.code, name: first.name, line: first.line }),
        );
      else if (!r.terms)
        ctx.error(
          row.line,
          'code',
          rowReason('supplier_twice', { supplier: r.supplier.code, line: first.line }),
        );
      if (r.terms) {
        const key = `${r.supplier.code}\u0000${r.terms.item_id}`;
        const dup = pairs.get(key);
        if (dup !== undefined) ctx.error(row.line, 'item_code', rowReason('terms_twice', { line: dup }));
        else pairs.set(key, row.line);
        if (r.terms.preferred) {
          const p = preferredFor.get(r.terms.item_id);
          if (p)
            ctx.error(
              row.line,
              'preferred',
              rowReason('preferred_twice', { supplier: p.supplier, line: p.line }),
            );
          else preferredFor.set(r.terms.item_id, { supplier: r.supplier.code, line: row.line });
        }
      }
    },
    async finishValidation() {},
    async apply(a: ApplyContext) {
      const ids = new Map(ctx.refs.suppliers);
      const done = new Set<string>();
      let created = 0;
      let updated = 0;
      let terms = 0;
      let applied = 0;
      let batch: Array<{ supplier: SupplierInput; terms: TermsInput | null }> = [];
      const flush = async () => {
        const fresh = new Map<string, SupplierInput>();
        for (const r of batch)
          if (!done.has(r.supplier.code) && !fresh.has(r.supplier.code))
            fresh.set(r.supplier.code, r.supplier);
        const toUpdate = [...fresh.values()].filter((s) => ids.has(s.code));
        const toInsert = [...fresh.values()].filter((s) => !ids.has(s.code));
        const record = sql.raw(
          'code text, name text, contact_email text, phone text, nominal_lead_time_days numeric, active boolean',
        );
        if (toUpdate.length) {
          const r = await a.tx.execute(sql`
            update suppliers s set name = x.name, contact_email = coalesce(x.contact_email, s.contact_email),
                   phone = coalesce(x.phone, s.phone), nominal_lead_time_days = coalesce(x.nominal_lead_time_days, s.nominal_lead_time_days),
                   active = coalesce(x.active, s.active)
              from jsonb_to_recordset(${JSON.stringify(toUpdate)}::jsonb) as x(${record})
             where s.code = x.code`);
          updated += r.rowCount ?? 0;
        }
        if (toInsert.length) {
          const r = await a.tx.execute<{ id: string; code: string }>(sql`
            insert into suppliers (code, name, contact_email, phone, nominal_lead_time_days, active)
            select x.code, x.name, x.contact_email, x.phone, coalesce(x.nominal_lead_time_days, 7), coalesce(x.active, true)
              from jsonb_to_recordset(${JSON.stringify(toInsert)}::jsonb) as x(${record})
            returning id, code`);
          for (const row of r.rows) ids.set(row.code, row.id);
          created += r.rows.length;
        }
        for (const code of fresh.keys()) done.add(code);
        const rows = batch
          .filter((r) => r.terms)
          .map((r) => ({ ...r.terms!, supplier_id: ids.get(r.supplier.code)! }));
        if (rows.length) {
          const json = JSON.stringify(rows);
          const termsRecord = sql.raw(
            'item_id uuid, supplier_id uuid, supplier_item_code text, pack_price numeric, pack_size integer, moq_packs integer, nominal_lead_time_days numeric, preferred boolean',
          );
          await a.tx.execute(sql`
            update item_suppliers t set preferred = false
              from jsonb_to_recordset(${json}::jsonb) as x(${termsRecord})
             where x.preferred and t.item_id = x.item_id and t.supplier_id <> x.supplier_id and t.preferred`);
          await a.tx.execute(sql`
            update item_suppliers t set supplier_item_code = coalesce(x.supplier_item_code, t.supplier_item_code),
                   pack_price = coalesce(x.pack_price, t.pack_price), pack_size = coalesce(x.pack_size, t.pack_size),
                   moq_packs = coalesce(x.moq_packs, t.moq_packs),
                   nominal_lead_time_days = coalesce(x.nominal_lead_time_days, t.nominal_lead_time_days),
                   preferred = coalesce(x.preferred, t.preferred)
              from jsonb_to_recordset(${json}::jsonb) as x(${termsRecord})
             where t.item_id = x.item_id and t.supplier_id = x.supplier_id`);
          await a.tx.execute(sql`
            insert into item_suppliers (item_id, supplier_id, supplier_item_code, pack_price, pack_size, moq_packs, nominal_lead_time_days, preferred)
            select x.item_id, x.supplier_id, x.supplier_item_code, coalesce(x.pack_price, 0), coalesce(x.pack_size, 1),
                   coalesce(x.moq_packs, 1), x.nominal_lead_time_days, coalesce(x.preferred, false)
              from jsonb_to_recordset(${json}::jsonb) as x(${termsRecord})
             where not exists (select 1 from item_suppliers t where t.item_id = x.item_id and t.supplier_id = x.supplier_id)`);
          terms += rows.length;
        }
        applied += batch.length;
        batch = [];
        await a.progress(applied);
      };
      for await (const row of a.rows()) {
        const r = resolve(row, false);
        if (!r) throw new ApplyRowError(row.line, 'row', rowReason('row_changed'));
        batch.push(r);
        if (batch.length >= APPLY_BATCH) await flush();
      }
      if (batch.length) await flush();
      return { created, updated, terms };
    },
    async dispose() {},
  };
}
