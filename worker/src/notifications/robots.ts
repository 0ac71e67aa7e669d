import { type AppConfig, secretKeyRing } from '@medstock/config';
import { type Database, openRobotValue, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { postWebhook } from '../webhooks/post-webhook.ts';
import { localClock } from './local-clock.ts';
import {
  dingtalkSignedUrl,
  type RobotKind,
  type RobotLanguage,
  robotAnswerError,
  robotBody,
  robotMarkdown,
} from './robot-message.ts';

/** Attempts of one robot message before it is given up; backoff 1, 2, 4, 8, 16 minutes between. */
export const ROBOT_MAX_ATTEMPTS = 6;
/** Feed entries older than this are not announced any more (a robot is for what is urgent now). */
const ANNOUNCE_WINDOW = sql`interval '1 day'`;

/**
 * Writes one pending message per active channel for each critical alert that opened, was
 * reopened (an escalation of an alert in progress, a snooze that ran out) or escalated to
 * critical since the channel's start, and is still open. An alert is announced once per feed
 * entry (unique per channel), and an escalation (`updated`) only if the channel has not
 * announced that alert yet. Idempotent: a second run finds nothing new.
 */
export async function collectRobotMessages(database: Database, tenantId: string): Promise<number> {
  return withTenantDb(database.db, { organizationId: tenantId }, async (tx) => {
    const r = await tx.execute<{ id: string }>(sql`
      insert into robot_messages (channel_id, alert_id, feed_id)
      select distinct on (c.id, f.alert_id) c.id, f.alert_id, f.id
        from robot_channels c
        join alert_feed f on f.id > c.feed_cursor and f.at > now() - ${ANNOUNCE_WINDOW}
        join alerts a on a.id = f.alert_id
       where c.active and a.severity = 'critical' and a.status = 'open'
         and f.kind in ('opened', 'reopened', 'updated')
         and not exists (select 1 from robot_messages m where m.channel_id = c.id and m.feed_id = f.id)
         and (f.kind <> 'updated' or not exists (select 1 from robot_messages m where m.channel_id = c.id and m.alert_id = f.alert_id))
       order by c.id, f.alert_id, f.id
      on conflict (channel_id, feed_id) do nothing
      returning id`);
    return r.rows.length;
  });
}

type Pending = {
  id: string;
  attempts: number;
  feed_kind: string;
  kind: RobotKind;
  channel_id: string;
  url_sealed: string;
  secret_sealed: string | null;
  alert_id: string;
  type: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  site_name: string;
  location_name: string;
  explanation_zh: string | null;
  explanation_en: string | null;
  action_zh: string | null;
  action_en: string | null;
  at: Date;
  still_open: boolean;
};

export interface RobotSendResult {
  sent: number;
  retrying: number;
  failed: number;
  skipped: number;
}

/**
 * Sends the pending messages that are due, one attempt each, and records the outcome: sent,
 * retried later (backoff), or failed after ROBOT_MAX_ATTEMPTS. An alert acknowledged or resolved
 * before its message went out is not announced any more (its pending message is dropped).
 * Addresses follow the webhook rules (public unicast unless WEBHOOK_ALLOW_PRIVATE_URLS, resolved
 * once and pinned, no redirects).
 */
export async function sendRobotMessages(
  config: AppConfig,
  database: Database,
  tenantId: string,
  opts: { language: RobotLanguage; timeZone: string },
): Promise<RobotSendResult> {
  const tenant = { organizationId: tenantId };
  const ring = secretKeyRing(config.SECRETS_KEYS);
  const result: RobotSendResult = { sent: 0, retrying: 0, failed: 0, skipped: 0 };
  const due = await withTenantDb(database.db, tenant, (tx) =>
    tx.execute<Pending>(sql`
      select m.id, m.attempts, f.kind as feed_kind, c.kind, c.id as channel_id, c.url_sealed, c.secret_sealed, a.id as alert_id,
             a.type, i.code as item_code, i.name_zh, i.name_en, s.name as site_name, l.name as location_name,
             a.explanation->'text'->>'zh' as explanation_zh, a.explanation->'text'->>'en' as explanation_en,
             a.action->'text'->>'zh' as action_zh, a.action->'text'->>'en' as action_en, f.at,
             (a.status = 'open' and a.severity = 'critical') as still_open
        from robot_messages m join robot_channels c on c.id = m.channel_id join alert_feed f on f.id = m.feed_id
        join alerts a on a.id = m.alert_id join items i on i.id = a.item_id join locations l on l.id = a.location_id
        join sites s on s.id = a.site_id
       where m.status = 'pending' and m.next_attempt_at <= now() and c.active
       order by m.created_at limit 50`),
  );
  for (const m of due.rows) {
    if (!m.still_open) {
      await withTenantDb(database.db, tenant, (tx) =>
        tx.execute(sql`delete from robot_messages where id = ${m.id} and status = 'pending'`),
      );
      result.skipped++;
      continue;
    }
    const local = localClock(new Date(m.at), opts.timeZone);
    const message = robotMarkdown(
      {
        alertId: m.alert_id,
        feedKind: m.feed_kind,
        type: m.type,
        itemCode: m.item_code,
        itemNameZh: m.name_zh,
        itemNameEn: m.name_en,
        siteName: m.site_name,
        locationName: m.location_name,
        explanation: m.explanation_zh
          ? { zh: m.explanation_zh, en: m.explanation_en ?? m.explanation_zh }
          : null,
        action: m.action_zh ? { zh: m.action_zh, en: m.action_en ?? m.action_zh } : null,
        at: `${local.date} ${local.hhmm}`,
        link: `${config.PUBLIC_URL.replace(/\/$/, '')}/alerts/${m.alert_id}`,
      },
      opts.language,
    );
    let url = openRobotValue(ring, m.channel_id, 'url', m.url_sealed);
    if (m.kind === 'dingtalk' && m.secret_sealed)
      url = dingtalkSignedUrl(url, openRobotValue(ring, m.channel_id, 'secret', m.secret_sealed));
    const posted = await postWebhook(
      url,
      robotBody(m.kind, message),
      {},
      {
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS,
        userAgent: 'medstock-robots/1',
      },
    );
    const error = posted.error ?? robotAnswerError(posted.answer);
    const attempts = m.attempts + 1;
    const status = !error ? 'sent' : attempts >= ROBOT_MAX_ATTEMPTS ? 'failed' : 'pending';
    // Never the URL in the log: it carries the robot's key.
    const safeError = error ? error.replaceAll(url, '(robot URL)') : null;
    await withTenantDb(database.db, tenant, (tx) =>
      tx.execute(sql`
        update robot_messages set status = ${status}, attempts = ${attempts}, last_status_code = ${posted.statusCode},
               last_error = ${safeError}, sent_at = case when ${status} = 'sent' then now() else sent_at end,
               next_attempt_at = now() + make_interval(mins => ${2 ** (attempts - 1)})
         where id = ${m.id}`),
    );
    if (status === 'sent') result.sent++;
    else if (status === 'failed') result.failed++;
    else result.retrying++;
  }
  return result;
}
