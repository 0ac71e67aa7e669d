import type { AppConfig } from '@medstock/config';
import { type Database, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { ALERT_TYPE_WORDS, SEVERITY_WORDS, words } from './alert-words.ts';
import type { WorkerMailer } from './mailer.ts';

/** Roles whose digest lists purchase orders waiting for approval (they hold the purchasing scope). */
const APPROVERS = new Set(['owner', 'admin', 'purchaser']);
const LIST = 10;

export interface DigestSettings {
  digest_roles: string[];
  expiry_days: number;
}

interface Recipient {
  user_id: string;
  email: string;
  name: string;
  locale: string;
  role: string;
  site_ids: string[] | null;
}

export interface DigestContent {
  counts: { critical: number; open: number; expiring: number; approvals: number };
  alerts: Array<{
    severity: string;
    type: string;
    item_code: string;
    name_zh: string;
    name_en: string;
    site_name: string;
    location_name: string;
  }>;
  lots: Array<{
    item_code: string;
    name_zh: string;
    name_en: string;
    lot_number: string;
    expiry_date: string;
    days_left: number;
    on_hand: number;
    location_name: string;
  }>;
  approvals: Array<{ number: string; supplier_name: string; site_name: string; created: string }>;
}

/** What one person's digest says: only their sites (a membership's site list), only their role's sections. */
export async function digestContent(
  database: Database,
  tenantId: string,
  r: Pick<Recipient, 'role' | 'site_ids'>,
  settings: DigestSettings,
  today: string,
): Promise<DigestContent> {
  const sites = (column: ReturnType<typeof sql.raw>) =>
    r.site_ids !== null ? sql`and ${column} = any(${sql.param(r.site_ids)}::uuid[])` : sql``;
  return withTenantDb(database.db, { organizationId: tenantId }, async (tx) => {
    const counts = (
      await tx.execute<{ critical: number; open: number }>(sql`
        select count(*) filter (where severity = 'critical')::int as critical, count(*)::int as open
          from alerts a where a.status = 'open' ${sites(sql.raw('a.site_id'))}`)
    ).rows[0]!;
    const alerts = await tx.execute<DigestContent['alerts'][number]>(sql`
      select a.severity, a.type, i.code as item_code, i.name_zh, i.name_en, s.name as site_name, l.name as location_name
        from alerts a join items i on i.id = a.item_id join sites s on s.id = a.site_id join locations l on l.id = a.location_id
       where a.status = 'open' ${sites(sql.raw('a.site_id'))}
       order by case a.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end, a.opened_at
       limit ${LIST}`);
    const expiringWhere = sql`st.on_hand > 0 and lo.expiry_date is not null
      and lo.expiry_date <= ${today}::date + ${settings.expiry_days}::int ${sites(sql.raw('l.site_id'))}`;
    const expiring = (
      await tx.execute<{ n: number }>(sql`
        select count(*)::int as n from stock st join lots lo on lo.id = st.lot_id join locations l on l.id = st.location_id
         where ${expiringWhere}`)
    ).rows[0]!.n;
    const lots = await tx.execute<DigestContent['lots'][number]>(sql`
      select i.code as item_code, i.name_zh, i.name_en, lo.lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date,
             (lo.expiry_date - ${today}::date) as days_left, st.on_hand::int as on_hand, l.name as location_name
        from stock st join lots lo on lo.id = st.lot_id join locations l on l.id = st.location_id join items i on i.id = st.item_id
       where ${expiringWhere}
       order by lo.expiry_date, i.code limit ${LIST}`);
    let approvals: DigestContent['approvals'] = [];
    let approvalCount = 0;
    if (APPROVERS.has(r.role)) {
      // A draft order waits for a second person's approval (four eyes), so drafts are the queue.
      const pending = await tx.execute<DigestContent['approvals'][number] & { total: number }>(sql`
        select po.number, su.name as supplier_name, s.name as site_name, to_char(po.created_at, 'YYYY-MM-DD') as created,
               count(*) over ()::int as total
          from purchase_orders po join suppliers su on su.id = po.supplier_id join sites s on s.id = po.site_id
         where po.status = 'draft' ${sites(sql.raw('po.site_id'))}
         order by po.created_at limit ${LIST}`);
      approvals = pending.rows.map(({ total: _t, ...row }) => row);
      approvalCount = pending.rows[0]?.total ?? 0;
    }
    return {
      counts: { critical: counts.critical, open: counts.open, expiring, approvals: approvalCount },
      alerts: alerts.rows,
      lots: lots.rows,
      approvals,
    };
  });
}

const isEmpty = (c: DigestContent) => c.counts.open + c.counts.expiring + c.counts.approvals === 0;

/** The e-mail of a digest in the recipient's language: a subject with the counts, text and HTML. */
export function digestMail(
  c: DigestContent,
  locale: string,
  date: string,
  orgName: string,
  publicUrl: string,
) {
  const zh = locale !== 'en';
  const base = publicUrl.replace(/\/$/, '');
  const w = (t: Record<string, { zh: string; en: string }>, k: string) => words(t, k)[zh ? 'zh' : 'en'];
  const subject = zh
    ? `【库存预警】${orgName} ${date} 每日摘要：紧急 ${c.counts.critical} · 待处理 ${c.counts.open} · 近效期 ${c.counts.expiring} · 待审批 ${c.counts.approvals}`
    : `[medstock] ${orgName} daily digest ${date}: ${c.counts.critical} critical · ${c.counts.open} open · ${c.counts.expiring} expiring · ${c.counts.approvals} to approve`;
  const sections: Array<{ title: string; lines: string[]; link: string }> = [
    {
      title: zh
        ? `待处理预警（${c.counts.open}，其中紧急 ${c.counts.critical}）`
        : `Open alerts (${c.counts.open}, ${c.counts.critical} critical)`,
      lines: c.alerts.map(
        (a) =>
          `[${w(SEVERITY_WORDS, a.severity)}] ${w(ALERT_TYPE_WORDS, a.type)} — ${zh ? a.name_zh : a.name_en} (${a.item_code}) · ${a.site_name} / ${a.location_name}`,
      ),
      link: `${base}/alerts`,
    },
    {
      title: zh ? `近效期批次（${c.counts.expiring}）` : `Lots expiring soon (${c.counts.expiring})`,
      lines: c.lots.map((l) => {
        const left =
          l.days_left < 0
            ? zh
              ? `已过期 ${-l.days_left} 天`
              : `expired ${-l.days_left} days ago`
            : zh
              ? `剩 ${l.days_left} 天`
              : `${l.days_left} days left`;
        return `${zh ? l.name_zh : l.name_en} (${l.item_code}) ${zh ? '批号' : 'lot'} ${l.lot_number} · ${zh ? '效期' : 'expires'} ${l.expiry_date} (${left}) · ${l.on_hand} · ${l.location_name}`;
      }),
      link: `${base}/stock`,
    },
  ];
  if (c.approvals.length || c.counts.approvals)
    sections.push({
      title: zh
        ? `待审批采购单（${c.counts.approvals}）`
        : `Purchase orders to approve (${c.counts.approvals})`,
      lines: c.approvals.map(
        (p) =>
          `${p.number} · ${p.supplier_name} · ${p.site_name} · ${zh ? '创建于' : 'created'} ${p.created}`,
      ),
      link: `${base}/purchasing`,
    });
  const none = zh ? '（无）' : '(none)';
  const text = [
    zh ? `${orgName}：${date} 的每日摘要` : `${orgName}: daily digest for ${date}`,
    '',
    ...sections.flatMap((s) => [
      s.title,
      ...(s.lines.length ? s.lines.map((l) => `- ${l}`) : [none]),
      s.link,
      '',
    ]),
    zh
      ? '不想再收到摘要？在系统右上角的通知里关闭“每日邮件摘要”。'
      : 'To stop these digests, turn off “Daily e-mail digest” under the bell in the app.',
  ].join('\n');
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const html = `<p>${esc(text.split('\n')[0]!)}</p>${sections
    .map(
      (s) =>
        `<h3>${esc(s.title)}</h3><ul>${(s.lines.length ? s.lines : [none]).map((l) => `<li>${esc(l)}</li>`).join('')}</ul><p><a href="${esc(s.link)}">${esc(s.link)}</a></p>`,
    )
    .join('')}`;
  return { subject, text, html };
}

/**
 * Sends the day's digest to every member of the digest roles who has not had it today and has
 * not turned it off. A day with nothing to tell sends nothing (but counts as done). The row in
 * digest_sends is written after the mail went out; a mail failure leaves it for the next run.
 */
export async function sendDueDigests(
  config: AppConfig,
  database: Database,
  mailer: WorkerMailer,
  tenantId: string,
  settings: DigestSettings,
  ctx: { today: string; orgName: string },
): Promise<{ mailed: number; empty: number }> {
  const members = await database.pool.query<Recipient>(
    `select m.user_id, u.email, u.name, u.locale, m.role, m.site_ids
       from control.memberships m join control.users u on u.id = m.user_id
      where m.organization_id = $1 and m.role = any($2::text[]) order by u.email`,
    [tenantId, settings.digest_roles],
  );
  const done = await withTenantDb(database.db, { organizationId: tenantId }, (tx) =>
    tx.execute<{ user_id: string }>(sql`
      select user_id from digest_sends where local_date = ${ctx.today}::date
      union select user_id from user_notification_state where not digest_enabled`),
  );
  const skip = new Set(done.rows.map((r) => r.user_id));
  let mailed = 0;
  let empty = 0;
  for (const r of members.rows) {
    if (skip.has(r.user_id)) continue;
    const content = await digestContent(database, tenantId, r, settings, ctx.today);
    const nothing = isEmpty(content);
    if (!nothing) {
      await mailer.send({
        to: r.email,
        ...digestMail(content, r.locale, ctx.today, ctx.orgName, config.PUBLIC_URL),
      });
      mailed++;
    } else empty++;
    await withTenantDb(database.db, { organizationId: tenantId }, (tx) =>
      tx.execute(sql`insert into digest_sends (user_id, local_date, mailed) values (${r.user_id}, ${ctx.today}::date, ${!nothing})
                     on conflict do nothing`),
    );
  }
  return { mailed, empty };
}
