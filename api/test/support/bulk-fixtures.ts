import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { TestApp } from './test-app.ts';

/**
 * Many stocked items with daily history, set-based (generate_series), for engine tests and
 * benchmarks: `items` items at each given location, `days` days of issues each.
 */
export async function seedStockedItems(
  t: { deps: TestApp['deps'] },
  organizationId: string,
  locationIds: string[],
  items: number,
  days: number,
) {
  await withTenantDb(t.deps.database.db, { organizationId }, async (tx) => {
    await tx.execute(sql`
      insert into items (code, name_zh, name_en, base_unit, unit_cost, ved)
      select 'BULK-' || g, '批量耗材 ' || g, 'Bulk item ' || g, 'piece', 1 + (g % 50), (array['V','E','D'])[1 + g % 3]
        from generate_series(1, ${items}) g`);
    await tx.execute(
      sql`insert into lots (item_id, lot_number, expiry_date) select id, 'L1', current_date + 400 from items where code like 'BULK-%'`,
    );
    await tx.execute(sql`
      insert into stock (location_id, item_id, lot_id, on_hand)
      select l.loc, i.id, lo.id, 20 + (abs(hashtext(i.code || l.loc::text)) % 400)
        from items i join lots lo on lo.item_id = i.id, unnest(${sql.param(locationIds)}::uuid[]) as l(loc)
       where i.code like 'BULK-%'`);
    // Imported history: back-dated issues of lot L1, then a baseline per lot at the import time
    // so today's on-hand stays what the stock rows say (the history model of migration 0013).
    await tx.execute(sql`
      insert into movements (type, item_id, location_id, lot_id, quantity, source, occurred_at)
      select 'issue', i.id, l.loc, lo.id, -(1 + (abs(hashtext(i.code || d::text || l.loc::text)) % 9)), 'import', current_date - d
        from items i join lots lo on lo.item_id = i.id, unnest(${sql.param(locationIds)}::uuid[]) as l(loc), generate_series(1, ${days}) d
       where i.code like 'BULK-%' and (abs(hashtext(i.code || d::text)) % 3) <> 0`);
    await tx.execute(sql`
      insert into movements (type, item_id, location_id, lot_id, quantity, reason, source, occurred_at)
      select 'stocktake', item_id, location_id, lot_id, -sum(quantity), 'history baseline', 'import', now()
        from movements m join items i on i.id = m.item_id where i.code like 'BULK-%' group by 2, 3, 4`);
  });
}
