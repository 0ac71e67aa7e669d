import { withTenantDb } from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { enqueueRecalculation } from '../../lib/enqueue-recalculation.ts';
import { notFound } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';

export type AnomalyStatus = 'pending' | 'accepted' | 'rejected';

export type AnomalyRow = {
  id: string;
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  location_id: string;
  location_name: string;
  site_id: string;
  site_name: string;
  day: string;
  quantity: string;
  expected: string;
  score: string | null;
  threshold: string | null;
  status: AnomalyStatus;
  reviewed_by: string | null;
  reviewed_at: string | null;
  created_at: string;
};

const ANOMALY_SELECT = sql`
  select a.id, a.item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit, a.location_id, l.name as location_name,
         l.site_id, s.name as site_name, to_char(a.day, 'YYYY-MM-DD') as day, a.quantity::text, a.expected::text,
         a.score::text, a.threshold::text, a.status, a.reviewed_by, a.reviewed_at, a.created_at
    from consumption_anomalies a join items i on i.id = a.item_id join locations l on l.id = a.location_id join sites s on s.id = l.site_id`;

export interface AnomalyFilter {
  status?: AnomalyStatus;
  siteId?: string;
  itemId?: string;
  locationId?: string;
}

/** The review queue: newest day first (the default shows what waits for a person: pending). */
export async function listAnomalies(
  deps: AppDeps,
  auth: AuthContext,
  f: AnomalyFilter,
  limit: number,
  after?: [string, string],
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds: SQL[] = [sql`a.status = ${f.status ?? 'pending'}`];
  if (f.siteId) conds.push(sql`l.site_id = ${f.siteId}`);
  if (f.itemId) conds.push(sql`a.item_id = ${f.itemId}`);
  if (f.locationId) conds.push(sql`a.location_id = ${f.locationId}`);
  if (auth.siteIds !== null) conds.push(sql`l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  if (after) conds.push(sql`(a.day, a.id) < (${after[0]}::date, ${after[1]}::uuid)`);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<AnomalyRow>(
      sql`${ANOMALY_SELECT} where ${sql.join(conds, sql` and `)} order by a.day desc, a.id desc limit ${limit + 1}`,
    ),
  );
  return r.rows;
}

/**
 * A person's verdict on a flagged day. Accepted: real consumption, used for forecasting again.
 * Rejected: not demand (a booking error, a one-off), kept out of forecasting for good. A verdict
 * may be changed; repeating the same one changes nothing. Either way the item-location is
 * recalculated, which also closes its consumption-anomaly alert when nothing else is pending.
 */
export async function reviewAnomaly(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  verdict: 'accepted' | 'rejected',
) {
  const row = await withTenantDb(deps.database.db, auth, async (tx) => {
    const r = await tx.execute<{ status: string; site_id: string; item_id: string; location_id: string }>(sql`
      select a.status, l.site_id, a.item_id, a.location_id from consumption_anomalies a join locations l on l.id = a.location_id
       where a.id = ${id} for update of a`);
    const a = r.rows[0];
    if (!a) throw notFound('The anomaly');
    assertSiteVisible(auth, a.site_id, 'The anomaly');
    if (a.status !== verdict) {
      await tx.execute(
        sql`update consumption_anomalies set status = ${verdict}, reviewed_by = ${auth.userId ?? auth.apiKeyId}, reviewed_at = now() where id = ${id}`,
      );
    }
    return (await tx.execute<AnomalyRow>(sql`${ANOMALY_SELECT} where a.id = ${id}`)).rows[0]!;
  });
  await enqueueRecalculation(deps, auth.organizationId, [
    { itemId: row.item_id, locationId: row.location_id },
  ]);
  return row;
}
