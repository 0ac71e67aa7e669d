import {
  type AlertAction,
  AlertTransitionError,
  actOnAlert,
  lockAlert,
  organizationTimeZone,
  withTenantDb,
} from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { enqueueDeliveries } from '../../lib/dispatch-deliveries.ts';
import { conflict, notFound } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';

export type AlertRow = {
  id: string;
  type: string;
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  location_id: string;
  site_id: string;
  severity: string;
  status: string;
  score: string;
  rule_version: number;
  explanation: unknown;
  action: unknown;
  snoozed_until: Date | string | null;
  dismissed_reason: string | null;
  opened_at: string;
  updated_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
};

const ALERT_SELECT = sql`
  select a.id, a.type, a.item_id, i.code as item_code, i.name_zh, i.name_en, a.location_id, a.site_id, a.severity, a.status,
         a.score::text, a.rule_version, a.explanation, a.action, a.snoozed_until, a.dismissed_reason, a.opened_at, a.updated_at,
         a.acknowledged_at, a.resolved_at
    from alerts a join items i on i.id = a.item_id`;

const SEVERITY_RANK = sql`case a.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end`;
/** Open alerts first, then the ones in progress (acknowledged or snoozed): an escalation reopens one. */
const STATUS_RANK = sql`case when a.status = 'open' then 0 else 1 end`;
/** What the list and the counts show by default: every live alert, in progress included (issue 11). */
const LIVE = sql`a.status in ('open', 'acknowledged', 'snoozed')`;
const IN_PROGRESS = sql`a.status in ('acknowledged', 'snoozed')`;

export interface AlertFilter {
  status?: string;
  type?: string;
  severity?: string;
  siteId?: string;
  itemId?: string;
  locationId?: string;
}

export async function listAlerts(
  deps: AppDeps,
  auth: AuthContext,
  f: AlertFilter,
  limit: number,
  after?: [number, number, string, string],
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds: SQL[] = [];
  conds.push(f.status === 'in_progress' ? IN_PROGRESS : f.status ? sql`a.status = ${f.status}` : LIVE);
  if (f.type) conds.push(sql`a.type = ${f.type}`);
  if (f.severity) conds.push(sql`a.severity = ${f.severity}`);
  if (f.siteId) conds.push(sql`a.site_id = ${f.siteId}`);
  if (f.itemId) conds.push(sql`a.item_id = ${f.itemId}`);
  if (f.locationId) conds.push(sql`a.location_id = ${f.locationId}`);
  if (auth.siteIds !== null) conds.push(sql`a.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  if (after)
    conds.push(
      sql`(${STATUS_RANK}, ${SEVERITY_RANK}, a.opened_at, a.id) > (${after[0]}, ${after[1]}, ${after[2]}::timestamptz, ${after[3]}::uuid)`,
    );
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<AlertRow & { rank: number }>(sql`
      select * from (${ALERT_SELECT} where ${sql.join(conds, sql` and `)}) x
      order by case when status = 'open' then 0 else 1 end,
               case severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end, opened_at, id limit ${limit + 1}`),
  );
  return r.rows;
}

export async function alertSummary(deps: AppDeps, auth: AuthContext, siteId?: string) {
  if (siteId) assertSiteVisible(auth, siteId);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<{ severity: string; type: string; in_progress: boolean; n: number }>(sql`
      select severity, type, ${IN_PROGRESS} as in_progress, count(*)::int as n from alerts a
       where ${LIVE}
         ${siteId ? sql`and a.site_id = ${siteId}` : sql``}
         ${auth.siteIds !== null ? sql`and a.site_id = any(${sql.param([...auth.siteIds])}::uuid[])` : sql``}
       group by 1, 2, 3`),
  );
  return r.rows;
}

export async function getAlert(deps: AppDeps, auth: AuthContext, id: string) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const r = await tx.execute<AlertRow>(sql`${ALERT_SELECT} where a.id = ${id}`);
    const a = r.rows[0];
    if (!a) throw notFound('The alert');
    assertSiteVisible(auth, a.site_id, 'The alert');
    const policy = await tx.execute<{ state: unknown; forecast: number[]; computed_at: Date }>(
      sql`select state, forecast, computed_at from item_location_policies where item_id = ${a.item_id} and location_id = ${a.location_id}`,
    );
    const history = await tx.execute<{ d: string; q: number }>(sql`
      select to_char((occurred_at at time zone ${await organizationTimeZone(tx)}::text)::date, 'YYYY-MM-DD') as d, (-sum(quantity))::float8 as q from movements
       where item_id = ${a.item_id} and location_id = ${a.location_id} and type in ('issue', 'transfer_out')
         and occurred_at >= now() - interval '90 days' group by 1 order by 1`);
    const feed = await tx.execute<{ kind: string; at: Date; actor_id: string | null }>(
      sql`select kind, at, actor_id from alert_feed where alert_id = ${id} order by id`,
    );
    return { alert: a, policy: policy.rows[0] ?? null, history: history.rows, feed: feed.rows };
  });
}

export type AlertTransition = AlertAction;

/**
 * Acknowledge, dismiss (a false alarm, with a reason) or snooze a live alert: the alert
 * lifecycle (db) changes it and emits its `alert.updated` event in the same transaction; the
 * event's deliveries are enqueued once it committed.
 */
export async function transitionAlert(deps: AppDeps, auth: AuthContext, id: string, t: AlertTransition) {
  const actor = auth.userId ?? auth.apiKeyId ?? null;
  const { deliveryIds } = await withTenantDb(deps.database.db, auth, async (tx) => {
    const a = await lockAlert(tx, id);
    if (!a) throw notFound('The alert');
    assertSiteVisible(auth, a.site_id, 'The alert');
    try {
      return await actOnAlert(tx, a, t, actor);
    } catch (err) {
      if (!(err instanceof AlertTransitionError)) throw err;
      throw err.code === 'snooze_in_past'
        ? conflict('snooze_in_past', err.message)
        : conflict('invalid_transition', err.message, { status: err.status });
    }
  });
  await enqueueDeliveries(deps, auth.organizationId, deliveryIds);
  return getAlert(deps, auth, id);
}

export async function alertFeed(deps: AppDeps, auth: AuthContext, limit: number, afterId?: number) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<{
      id: number;
      alert_id: string;
      kind: string;
      at: Date;
      type: string;
      severity: string;
      item_code: string;
      name_zh: string;
      name_en: string;
      site_id: string;
    }>(sql`
      select f.id, f.alert_id, f.kind, f.at, a.type, a.severity, i.code as item_code, i.name_zh, i.name_en, a.site_id
        from alert_feed f join alerts a on a.id = f.alert_id join items i on i.id = a.item_id
       where true ${auth.siteIds !== null ? sql`and a.site_id = any(${sql.param([...auth.siteIds])}::uuid[])` : sql``}
         ${afterId !== undefined ? sql`and f.id < ${afterId}` : sql``}
       order by f.id desc limit ${limit + 1}`),
  );
  return r.rows;
}
