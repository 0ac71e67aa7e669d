import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { TestApp } from './test-app.ts';

/** A supplier with terms for the item (pack size, MOQ, nominal lead time), inserted directly. */
export async function insertSupplierTerms(
  t: TestApp,
  organizationId: string,
  itemId: string,
  terms: { packSize?: number; moqPacks?: number; leadDays?: number; code?: string } = {},
) {
  return withTenantDb(t.deps.database.db, { organizationId }, async (tx) => {
    const code = terms.code ?? `SUP-${itemId.slice(0, 8)}`;
    const s = await tx.execute<{ id: string }>(sql`
      insert into suppliers (code, name, nominal_lead_time_days) values (${code}, ${`Supplier ${code}`}, ${terms.leadDays ?? 7})
      on conflict (code) do update set name = excluded.name returning id`);
    const supplierId = s.rows[0]!.id;
    await tx.execute(sql`
      insert into item_suppliers (item_id, supplier_id, pack_price, pack_size, moq_packs, preferred)
      values (${itemId}, ${supplierId}, 10, ${terms.packSize ?? 10}, ${terms.moqPacks ?? 1}, true)`);
    return supplierId;
  });
}

/** Imported consumption history: `perDay(dayIndex)` units issued on each of the last `days` days. */
export async function insertDailyHistory(
  t: TestApp,
  organizationId: string,
  itemId: string,
  locationId: string,
  days: number,
  perDay: (i: number) => number,
) {
  await withTenantDb(t.deps.database.db, { organizationId }, async (tx) => {
    const qty: number[] = [];
    const at: string[] = [];
    for (let i = 0; i < days; i++) {
      const q = perDay(i);
      if (q <= 0) continue;
      qty.push(-q);
      at.push(new Date(Date.now() - (days - i) * 86_400_000).toISOString());
    }
    // Back-dated issues of the untracked lot, then a baseline at the import time that keeps
    // today's on-hand (the history model of migration 0013).
    const lot = await tx.execute<{ id: string }>(sql`
      insert into lots (item_id, lot_number) values (${itemId}, '')
      on conflict (item_id, lot_number) do update set lot_number = excluded.lot_number returning id`);
    const lotId = lot.rows[0]!.id;
    await tx.execute(sql`
      insert into movements (type, item_id, location_id, lot_id, quantity, source, occurred_at)
      select 'issue', ${itemId}, ${locationId}, ${lotId}, q, 'import', a
        from unnest(${sql.param(qty)}::bigint[], ${sql.param(at)}::timestamptz[]) as u(q, a)`);
    const total = qty.reduce((a, q) => a + q, 0);
    await tx.execute(sql`
      insert into movements (type, item_id, location_id, lot_id, quantity, reason, source, occurred_at)
      values ('stocktake', ${itemId}, ${locationId}, ${lotId}, ${-total}, 'history baseline', 'import', now())`);
  });
}
