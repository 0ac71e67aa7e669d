import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { addMember as addMemberByInvitation } from './members.ts';
import type { SignedUp, TestApp } from './test-app.ts';

/** A supplier (and optionally its terms for some items) inserted directly, independent of the supplier routes. */
export async function insertSupplier(
  t: TestApp,
  organizationId: string,
  s: { code: string; active?: boolean; terms?: { itemId: string; packPrice: number; packSize: number }[] },
): Promise<string> {
  return withTenantDb(t.deps.database.db, { organizationId }, async (tx) => {
    const r = await tx.execute<{ id: string }>(sql`
      insert into suppliers (code, name, active) values (${s.code}, ${`Supplier ${s.code}`}, ${s.active ?? true}) returning id`);
    const id = r.rows[0]!.id;
    for (const term of s.terms ?? []) {
      await tx.execute(sql`
        insert into item_suppliers (item_id, supplier_id, pack_price, pack_size) values (${term.itemId}, ${id}, ${term.packPrice}, ${term.packSize})`);
    }
    return id;
  });
}

/** A member of the owner's organisation with a role (and optional site limits), by invitation. */
export const addMember = (t: TestApp, owner: SignedUp, role: string, siteIds: string[] | null = null) =>
  addMemberByInvitation(t, owner.headers, role, siteIds);

/** Runs SQL in the tenant's schema, for assertions on rows the API does not expose and for back-dating. */
export async function tenantQuery<T extends Record<string, unknown>>(
  t: TestApp,
  organizationId: string,
  query: ReturnType<typeof sql>,
) {
  return withTenantDb(
    t.deps.database.db,
    { organizationId },
    async (tx) => (await tx.execute<T>(query)).rows,
  );
}
