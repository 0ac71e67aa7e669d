import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { TestApp } from './test-app.ts';

/**
 * Catalogue rows inserted directly, for tests of other areas that need items without going
 * through the catalogue routes.
 */
export async function insertItem(
  t: TestApp,
  organizationId: string,
  item: {
    code: string;
    gtin?: string;
    unitCost?: number;
    packUnits?: { code: string; factor: number }[];
    ved?: 'V' | 'E' | 'D';
    substituteGroup?: string;
    /**
     * Default false here: receipts of a lot-tracked item need lot and expiry (issue 11), and most
     * tests of other areas receive without them. Tests of lots say so.
     */
    lotTracked?: boolean;
  },
): Promise<string> {
  return withTenantDb(t.deps.database.db, { organizationId }, async (tx) => {
    const r = await tx.execute<{ id: string }>(sql`
      insert into items (code, name_zh, name_en, base_unit, base_unit_zh, base_unit_en, gtin, unit_cost, ved, substitute_group, lot_tracked)
      values (${item.code}, ${`耗材 ${item.code}`}, ${`Item ${item.code}`}, 'piece', '支', 'piece', ${item.gtin ?? null},
              ${item.unitCost ?? 1}, ${item.ved ?? 'E'}, ${item.substituteGroup ?? null}, ${item.lotTracked ?? false}) returning id`);
    const id = r.rows[0]!.id;
    for (const u of item.packUnits ?? []) {
      await tx.execute(
        sql`insert into item_units (item_id, code, factor) values (${id}, ${u.code}, ${u.factor})`,
      );
    }
    return id;
  });
}

export async function centralStore(
  t: TestApp,
  headers: Record<string, string>,
  siteId?: string,
): Promise<{ siteId: string; locationId: string }> {
  const site =
    siteId ?? (await t.app.inject({ method: 'GET', url: '/v1/sites', headers })).json().items[0].id;
  const locs = (await t.app.inject({ method: 'GET', url: `/v1/sites/${site}/locations`, headers })).json()
    .items;
  return { siteId: site, locationId: locs.find((l: { code: string }) => l.code === 'CENTRAL').id };
}
