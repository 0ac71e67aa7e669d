import { secretKeyRing } from '@medstock/config';
import { endpointUrlProblem, resolveEndpointHost } from '@medstock/contracts/webhooks/endpoint-address.ts';
import { robotUrlHint, sealRobotValue, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { notFound, ProblemError, unprocessable } from '../../lib/problem.ts';
import { iso, isoRequired } from '../../lib/schemas.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { alertFeed } from '../alerts/alerts.service.ts';

/** Whose read marker: the signed-in person, or the API key acting on its own. */
const readerOf = (auth: AuthContext) => (auth.userId ?? auth.apiKeyId)!;

const visibleSites = (auth: AuthContext) =>
  auth.siteIds !== null ? sql`and a.site_id = any(${sql.param([...auth.siteIds])}::uuid[])` : sql``;

/** Unread entries are counted up to this many (the bell shows 99+ long before). */
const UNREAD_CAP = 1000;

async function readState(deps: AppDeps, auth: AuthContext) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const state = await tx.execute<{ last_read_feed_id: string; read_at: Date | null }>(
      sql`select last_read_feed_id::text, read_at from user_notification_state where user_id = ${readerOf(auth)}`,
    );
    const lastRead = Number(state.rows[0]?.last_read_feed_id ?? 0);
    const unread = await tx.execute<{ n: number }>(sql`
      select count(*)::int as n from (
        select 1 from alert_feed f join alerts a on a.id = f.alert_id
         where f.id > ${lastRead} ${visibleSites(auth)} limit ${UNREAD_CAP}) x`);
    return { lastReadId: lastRead, readAt: iso(state.rows[0]?.read_at), unread: unread.rows[0]!.n };
  });
}

/** The bell: how many alert-feed entries the caller has not seen, and the newest ones. */
export async function notificationInbox(deps: AppDeps, auth: AuthContext, limit: number) {
  const [state, rows] = await Promise.all([readState(deps, auth), alertFeed(deps, auth, limit)]);
  return {
    ...state,
    items: rows.slice(0, limit).map((r) => ({
      id: Number(r.id),
      alertId: r.alert_id,
      kind: r.kind,
      at: isoRequired(r.at),
      type: r.type,
      severity: r.severity,
      itemCode: r.item_code,
      itemNameZh: r.name_zh,
      itemNameEn: r.name_en,
      siteId: r.site_id,
      unread: Number(r.id) > state.lastReadId,
    })),
  };
}

/**
 * Marks the feed read up to `upToId` (default: the newest entry the caller can see). The marker
 * only moves forward, so a stale tab cannot mark newer entries unread again.
 */
export async function markNotificationsRead(deps: AppDeps, auth: AuthContext, upToId?: number) {
  await withTenantDb(deps.database.db, auth, async (tx) => {
    const upTo =
      upToId ??
      Number(
        (
          await tx.execute<{ id: string | null }>(sql`
            select max(f.id)::text as id from alert_feed f join alerts a on a.id = f.alert_id where true ${visibleSites(auth)}`)
        ).rows[0]?.id ?? 0,
      );
    await tx.execute(sql`
      insert into user_notification_state (user_id, last_read_feed_id, read_at) values (${readerOf(auth)}, ${upTo}, now())
      on conflict (user_id) do update set last_read_feed_id = greatest(user_notification_state.last_read_feed_id, excluded.last_read_feed_id),
                                          read_at = now()`);
  });
  return readState(deps, auth);
}

export async function getDigestPreference(deps: AppDeps, auth: AuthContext) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<{ digest_enabled: boolean }>(
      sql`select digest_enabled from user_notification_state where user_id = ${readerOf(auth)}`,
    ),
  );
  return { digestEnabled: r.rows[0]?.digest_enabled ?? true };
}

export async function setDigestPreference(deps: AppDeps, auth: AuthContext, digestEnabled: boolean) {
  await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute(sql`
      insert into user_notification_state (user_id, digest_enabled) values (${readerOf(auth)}, ${digestEnabled})
      on conflict (user_id) do update set digest_enabled = excluded.digest_enabled`),
  );
  return { digestEnabled };
}

// --- Organisation settings -------------------------------------------------------------------

type SettingsRow = {
  digest_enabled: boolean;
  digest_hour: number;
  digest_roles: string[];
  expiry_days: number;
  quiet_start: string | null;
  quiet_end: string | null;
  critical_in_quiet_hours: boolean;
  robot_language: 'zh-CN' | 'en' | 'both';
  updated_by: string | null;
  updated_at: Date | string;
};

export interface NotificationSettings {
  digestEnabled: boolean;
  digestHour: number;
  digestRoles: string[];
  expiryDays: number;
  quietHours: { start: string; end: string } | null;
  criticalInQuietHours: boolean;
  robotLanguage: 'zh-CN' | 'en' | 'both';
}

const settingsView = (r: SettingsRow) => ({
  digestEnabled: r.digest_enabled,
  digestHour: r.digest_hour,
  digestRoles: r.digest_roles as never[],
  expiryDays: r.expiry_days,
  quietHours:
    r.quiet_start && r.quiet_end ? { start: r.quiet_start.slice(0, 5), end: r.quiet_end.slice(0, 5) } : null,
  criticalInQuietHours: r.critical_in_quiet_hours,
  robotLanguage: r.robot_language,
  updatedBy: r.updated_by,
  updatedAt: isoRequired(r.updated_at),
});

export async function getNotificationSettings(deps: AppDeps, auth: AuthContext) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<SettingsRow>(sql`select * from notification_settings`),
  );
  return settingsView(r.rows[0]!);
}

export async function putNotificationSettings(deps: AppDeps, auth: AuthContext, s: NotificationSettings) {
  if (s.quietHours && s.quietHours.start === s.quietHours.end)
    throw unprocessable('quiet_hours_empty', 'Quiet hours must start and end at different times.', [
      { field: 'body:/quietHours/end', message: 'equals start' },
    ]);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<SettingsRow>(sql`
      update notification_settings set digest_enabled = ${s.digestEnabled}, digest_hour = ${s.digestHour},
             digest_roles = ${sql.param(s.digestRoles)}::text[], expiry_days = ${s.expiryDays},
             quiet_start = ${s.quietHours?.start ?? null}::time, quiet_end = ${s.quietHours?.end ?? null}::time,
             critical_in_quiet_hours = ${s.criticalInQuietHours}, robot_language = ${s.robotLanguage},
             updated_by = ${auth.userId ?? auth.apiKeyId}, updated_at = now()
       returning *`),
  );
  return settingsView(r.rows[0]!);
}

// --- Group robots ----------------------------------------------------------------------------

type ChannelRow = {
  id: string;
  kind: 'wecom' | 'dingtalk';
  name: string;
  url_hint: string;
  secret_hint: string | null;
  active: boolean;
  created_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  last_sent_at: Date | string | null;
  failed: number;
};

const CHANNEL_SELECT = sql`
  select c.id, c.kind, c.name, c.url_hint, c.secret_hint, c.active, c.created_by, c.created_at, c.updated_at,
         (select max(sent_at) from robot_messages m where m.channel_id = c.id) as last_sent_at,
         (select count(*)::int from robot_messages m where m.channel_id = c.id and m.status = 'failed') as failed
    from robot_channels c`;

const channelView = (r: ChannelRow) => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  urlHint: r.url_hint,
  signed: r.secret_hint !== null,
  secretHint: r.secret_hint ? `SEC…${r.secret_hint}` : null,
  active: r.active,
  createdBy: r.created_by,
  createdAt: isoRequired(r.created_at),
  updatedAt: isoRequired(r.updated_at),
  lastSentAt: iso(r.last_sent_at),
  failedMessages: Number(r.failed),
});

/** Same address rules as webhook endpoints: public unicast unless WEBHOOK_ALLOW_PRIVATE_URLS. */
async function assertRobotUrl(deps: AppDeps, url: string) {
  const allowPrivate = deps.config.WEBHOOK_ALLOW_PRIVATE_URLS;
  let problem = endpointUrlProblem(url, allowPrivate);
  if (!problem && !allowPrivate) {
    const resolved = await resolveEndpointHost(new URL(url).hostname, false);
    if (!resolved.ok && !resolved.unresolved) problem = resolved.problem;
  }
  if (problem)
    throw unprocessable('invalid_webhook_url', `The endpoint URL ${problem}.`, [
      { field: 'body:/url', message: problem },
    ]);
}

function assertSecretKind(kind: string, secret: string | null | undefined) {
  if (secret && kind !== 'dingtalk')
    throw new ProblemError(
      422,
      'robot_secret_dingtalk_only',
      'Signing secret only for DingTalk',
      'Only DingTalk robots are signed (加签); a WeCom robot has no signing secret.',
      [{ field: 'body:/secret', message: 'only for dingtalk' }],
    );
}

export async function listRobotChannels(deps: AppDeps, auth: AuthContext) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<ChannelRow>(sql`${CHANNEL_SELECT} order by c.created_at, c.id`),
  );
  return { items: r.rows.map(channelView) };
}

async function loadChannel(deps: AppDeps, auth: AuthContext, id: string) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<ChannelRow>(sql`${CHANNEL_SELECT} where c.id = ${id}`),
  );
  if (!r.rows[0]) throw notFound('The robot channel');
  return channelView(r.rows[0]);
}
export const getRobotChannel = loadChannel;

export async function createRobotChannel(
  deps: AppDeps,
  auth: AuthContext,
  body: { kind: 'wecom' | 'dingtalk'; name: string; url: string; secret?: string },
) {
  assertSecretKind(body.kind, body.secret);
  await assertRobotUrl(deps, body.url);
  const ring = secretKeyRing(deps.config.SECRETS_KEYS);
  const id = crypto.randomUUID();
  await withTenantDb(deps.database.db, auth, (tx) =>
    // A new channel starts at the newest feed entry: it announces what happens from now on,
    // not every critical alert of the past.
    tx.execute(sql`
      insert into robot_channels (id, kind, name, url_sealed, url_hint, secret_sealed, secret_hint, created_by, feed_cursor)
      values (${id}, ${body.kind}, ${body.name}, ${sealRobotValue(ring, id, 'url', body.url)}, ${robotUrlHint(body.url)},
              ${body.secret ? sealRobotValue(ring, id, 'secret', body.secret) : null}, ${body.secret ? body.secret.slice(-4) : null},
              ${auth.userId ?? auth.apiKeyId}, (select coalesce(max(id), 0) from alert_feed))`),
  );
  return loadChannel(deps, auth, id);
}

export async function updateRobotChannel(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  body: { name?: string; url?: string; secret?: string | null; active?: boolean },
) {
  const current = await loadChannel(deps, auth, id);
  assertSecretKind(current.kind, body.secret);
  if (body.url !== undefined) await assertRobotUrl(deps, body.url);
  const ring = secretKeyRing(deps.config.SECRETS_KEYS);
  await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute(sql`
      update robot_channels set
        name = coalesce(${body.name ?? null}::text, name),
        active = coalesce(${body.active ?? null}::boolean, active),
        -- Resumed: announce what happens from now on, not what happened while paused.
        feed_cursor = case when ${body.active ?? null}::boolean and not active
                           then (select coalesce(max(id), 0) from alert_feed) else feed_cursor end,
        url_sealed = ${body.url !== undefined ? sealRobotValue(ring, id, 'url', body.url) : sql`url_sealed`},
        url_hint = ${body.url !== undefined ? robotUrlHint(body.url) : sql`url_hint`},
        secret_sealed = ${body.secret === undefined ? sql`secret_sealed` : body.secret === null ? null : sealRobotValue(ring, id, 'secret', body.secret)},
        secret_hint = ${body.secret === undefined ? sql`secret_hint` : body.secret === null ? null : body.secret.slice(-4)},
        updated_at = now()
       where id = ${id}`),
  );
  return loadChannel(deps, auth, id);
}

export async function deleteRobotChannel(deps: AppDeps, auth: AuthContext, id: string) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<{ id: string }>(sql`delete from robot_channels where id = ${id} returning id`),
  );
  if (!r.rows[0]) throw notFound('The robot channel');
}

export async function listRobotMessages(deps: AppDeps, auth: AuthContext, id: string, limit: number) {
  await loadChannel(deps, auth, id);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<{
      id: string;
      alert_id: string;
      status: 'pending' | 'sent' | 'failed';
      attempts: number;
      last_status_code: number | null;
      last_error: string | null;
      created_at: Date;
      sent_at: Date | null;
    }>(sql`
      select id, alert_id, status, attempts, last_status_code, last_error, created_at, sent_at
        from robot_messages where channel_id = ${id} order by created_at desc, id limit ${limit}`),
  );
  return {
    items: r.rows.map((m) => ({
      id: m.id,
      alertId: m.alert_id,
      status: m.status,
      attempts: m.attempts,
      lastStatusCode: m.last_status_code,
      lastError: m.last_error,
      createdAt: isoRequired(m.created_at),
      sentAt: iso(m.sent_at),
    })),
  };
}
