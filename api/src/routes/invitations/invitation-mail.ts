import type { Role } from '@medstock/db';
import type { MailMessage } from '../../mail/mailer.ts';

/**
 * The invitation e-mail, in 简体中文 and English: the invitee's language is unknown (they may
 * have no account), so both are written, the organisation's language first. The text is the
 * same whether or not the address has an account: the link's page finds that out.
 */
const ROLE_NAMES: Record<Role, { 'zh-CN': string; en: string }> = {
  owner: { 'zh-CN': '负责人', en: 'owner' },
  admin: { 'zh-CN': '管理员', en: 'administrator' },
  purchaser: { 'zh-CN': '采购', en: 'purchaser' },
  storekeeper: { 'zh-CN': '库管', en: 'storekeeper' },
  nurse: { 'zh-CN': '科室护士', en: 'ward nurse' },
  viewer: { 'zh-CN': '只读（财务、管理）', en: 'viewer' },
};

export interface InvitationMailInput {
  to: string;
  organizationName: string;
  organizationLocale: string;
  timezone: string;
  /** The inviting member's name (or e-mail); null when an integration (API key) invited. */
  inviterName: string | null;
  role: Role;
  link: string;
  expiresAt: Date;
}

function when(date: Date, locale: 'zh-CN' | 'en', timeZone: string): string {
  const format = (tz: string) =>
    new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: tz }).format(date);
  try {
    return format(timeZone);
  } catch {
    return format('UTC');
  }
}

function chinese(m: InvitationMailInput): string {
  const who = m.inviterName ? `${m.inviterName} 邀请您` : '您被邀请';
  return [
    '您好！',
    '',
    `${who}加入「${m.organizationName}」的 medstock 耗材与库存管理，角色：${ROLE_NAMES[m.role]['zh-CN']}。`,
    '',
    `请在 ${when(m.expiresAt, 'zh-CN', m.timezone)} 之前打开下面的链接接受邀请：`,
    m.link,
    '',
    '还没有 medstock 账号的，打开链接后设置自己的密码即可；已有账号的，请用原账号登录后接受。',
    '此链接只能使用一次，请勿转发。如果您不认识邀请人，请忽略本邮件，不会为您创建任何账号。',
  ].join('\n');
}

function english(m: InvitationMailInput): string {
  const who = m.inviterName ? `${m.inviterName} has invited you` : 'You have been invited';
  return [
    'Hello,',
    '',
    `${who} to join ${m.organizationName} on medstock (medical supplies and stock) as ${ROLE_NAMES[m.role].en}.`,
    '',
    `Open this link before ${when(m.expiresAt, 'en', m.timezone)} to accept:`,
    m.link,
    '',
    'If you have no medstock account yet, you will choose your own password; if you already have one, sign in with it to accept.',
    'The link works once; please do not forward it. If you do not know the sender, ignore this e-mail: no account is created for you.',
  ].join('\n');
}

export function invitationMail(m: InvitationMailInput): MailMessage {
  const zhFirst = m.organizationLocale !== 'en';
  const subjects = [`邀请您加入「${m.organizationName}」`, `Invitation to join ${m.organizationName}`];
  const bodies = [chinese(m), english(m)];
  if (!zhFirst) {
    subjects.reverse();
    bodies.reverse();
  }
  return {
    to: m.to,
    subject: `${subjects[0]} / ${subjects[1]} — medstock`,
    text: `${bodies[0]}\n\n————————————————\n\n${bodies[1]}\n`,
  };
}
