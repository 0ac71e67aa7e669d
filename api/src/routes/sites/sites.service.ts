import { CENTRAL_STORE, emitEvent, locations, sites, type Tx, withTenantDb } from '@medstock/db';
import { and, asc, eq, gt, inArray, type SQL, sql } from 'drizzle-orm';
import { assertWithinPlan } from '../../billing/plan-limits.ts';
import type { AppDeps } from '../../deps.ts';
import { enqueueDeliveries } from '../../lib/dispatch-deliveries.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { conflict, notFound, unprocessable } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';

export type SiteRow = typeof sites.$inferSelect;
export type LocationRow = typeof locations.$inferSelect;

export async function listSites(deps: AppDeps, auth: AuthContext, limit: number, cursor?: string) {
  const after = decodeCursor(cursor, ['text']);
  const rows = await withTenantDb(deps.database.db, auth, (tx) =>
    tx
      .select()
      .from(sites)
      .where(
        and(
          auth.siteIds === null ? undefined : inArray(sites.id, [...auth.siteIds]),
          after ? gt(sites.code, String(after[0])) : undefined,
        ),
      )
      .orderBy(asc(sites.code))
      .limit(limit + 1),
  );
  return paginate(rows, limit, (r) => [r.code]);
}

export async function getSite(deps: AppDeps, auth: AuthContext, id: string) {
  assertSiteVisible(auth, id);
  const [row] = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.select().from(sites).where(eq(sites.id, id)),
  );
  if (!row) throw notFound('The site');
  return row;
}

export async function createSite(
  deps: AppDeps,
  auth: AuthContext,
  input: { code: string; name: string; kind?: SiteRow['kind']; address?: string },
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    await assertWithinPlan(deps, auth, 'sites', 1, tx);
    const [row] = await tx
      .insert(sites)
      .values({
        code: input.code,
        name: input.name,
        kind: input.kind ?? 'hospital',
        address: input.address ?? null,
      })
      .returning();
    // Every site starts with a central store so stock can be received at once.
    await tx.insert(locations).values({ siteId: row!.id, ...CENTRAL_STORE });
    return row!;
  });
}

export async function updateSite(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  patch: Partial<Pick<SiteRow, 'name' | 'kind' | 'address' | 'active'>>,
) {
  assertSiteVisible(auth, id);
  let deliveryIds: string[] = [];
  const [row] = await withTenantDb(deps.database.db, auth, async (tx) => {
    if (patch.active === false) {
      const [site] = await tx.select().from(sites).where(eq(sites.id, id)).for('update');
      if (!site) throw notFound('The site');
      const onHand = await onHandAt(tx, sql`l.site_id = ${id}`);
      if (onHand > 0)
        throw conflict('site_has_stock', `Site '${site.name}' still holds ${onHand} base units.`, {
          name: site.name,
          onHand,
        });
    }
    const rows = await tx.update(sites).set(patch).where(eq(sites.id, id)).returning();
    // An integration posting to a renamed or deactivated site learns of it at once.
    if (rows[0]) {
      const r = rows[0];
      deliveryIds = (
        await emitEvent(tx, 'site.updated', {
          siteId: r.id,
          code: r.code,
          name: r.name,
          kind: r.kind,
          active: r.active,
          changes: Object.keys(patch),
          changedBy: auth.userId ?? auth.apiKeyId,
        })
      ).deliveryIds;
    }
    return rows;
  });
  if (!row) throw notFound('The site');
  await enqueueDeliveries(deps, auth.organizationId, deliveryIds);
  return row;
}

/** Base units on hand at the locations `where` picks (over `locations l`). */
async function onHandAt(tx: Tx, where: SQL): Promise<number> {
  const r = await tx.execute<{ n: string | null }>(
    sql`select sum(s.on_hand)::text as n from stock s join locations l on l.id = s.location_id where ${where}`,
  );
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Renames a location, changes its kind or (de)activates it. A deactivated location takes no new
 * movements (422 location_inactive) but keeps its history; it must be empty first, so no stock
 * is stranded where nobody can issue it (409 location_has_stock).
 */
export async function updateLocation(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  patch: Partial<Pick<LocationRow, 'name' | 'kind' | 'active'>>,
) {
  const { row, deliveryIds } = await withTenantDb(deps.database.db, auth, async (tx) => {
    const [current] = await tx.select().from(locations).where(eq(locations.id, id)).for('update');
    if (!current) throw notFound('The location');
    assertSiteVisible(auth, current.siteId, 'The location');
    if (patch.active === false && current.active) {
      const onHand = await onHandAt(tx, sql`l.id = ${id}`);
      if (onHand > 0)
        throw conflict('location_has_stock', `'${current.name}' still holds ${onHand} base units.`, {
          name: current.name,
          onHand,
        });
    }
    const [row] = await tx.update(locations).set(patch).where(eq(locations.id, id)).returning();
    const ev = await emitEvent(tx, 'location.updated', {
      locationId: row!.id,
      siteId: row!.siteId,
      code: row!.code,
      name: row!.name,
      kind: row!.kind,
      active: row!.active,
      changes: Object.keys(patch),
      changedBy: auth.userId ?? auth.apiKeyId,
    });
    return { row: row!, deliveryIds: ev.deliveryIds };
  });
  await enqueueDeliveries(deps, auth.organizationId, deliveryIds);
  return row;
}

export async function listLocations(deps: AppDeps, auth: AuthContext, siteId: string) {
  await getSite(deps, auth, siteId);
  return withTenantDb(deps.database.db, auth, (tx) =>
    tx.select().from(locations).where(eq(locations.siteId, siteId)).orderBy(asc(locations.code)),
  );
}

export async function createLocation(
  deps: AppDeps,
  auth: AuthContext,
  siteId: string,
  input: { code: string; name: string; kind?: LocationRow['kind'] },
) {
  await getSite(deps, auth, siteId);
  const [row] = await withTenantDb(deps.database.db, auth, (tx) =>
    tx
      .insert(locations)
      .values({ siteId, code: input.code, name: input.name, kind: input.kind ?? 'ward' })
      .returning(),
  );
  return row!;
}

/** Validates site ids given in a body (memberships, API keys) against the tenant's sites. */
export async function assertSitesExist(deps: AppDeps, auth: AuthContext, siteIds: readonly string[]) {
  if (siteIds.length === 0) return;
  const found = await withTenantDb(deps.database.db, auth, (tx) =>
    tx
      .select({ id: sites.id })
      .from(sites)
      .where(inArray(sites.id, [...siteIds])),
  );
  const known = new Set(found.map((r) => r.id));
  const missing = siteIds.filter((s) => !known.has(s));
  if (missing.length) {
    throw unprocessable(
      'unknown_site',
      'Some site ids do not exist in this organisation.',
      missing.map((m) => ({ field: 'body:/siteIds', message: `unknown site ${m}`, params: { siteId: m } })),
    );
  }
}
