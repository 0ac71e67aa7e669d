import type { MailMessage } from '../../mail/mailer.ts';

/**
 * The e-mails of sign-up and password reset, in 简体中文 and English (the preferred one first).
 * What a message says may depend on whether the address has an account: only the mailbox's
 * owner reads it. The HTTP answer that triggered it never does.
 */
type Locale = 'zh-CN' | 'en';
type Lines = Record<Locale, string[]>;

function bilingual(locale: Locale, subject: Record<Locale, string>, lines: Lines): Omit<MailMessage, 'to'> {
  const order: Locale[] = locale === 'en' ? ['en', 'zh-CN'] : ['zh-CN', 'en'];
  return {
    subject: `${subject[order[0]!]} / ${subject[order[1]!]}`,
    text: `${order.map((l) => lines[l].join('\n')).join('\n\n———\n\n')}\n`,
  };
}

const hours = (seconds: number) => Math.max(1, Math.round(seconds / 3600));

export function signupConfirmationMail(m: {
  to: string;
  locale: Locale;
  organizationName: string;
  link: string;
  ttlSeconds: number;
  hasAccount: boolean;
}): MailMessage {
  const h = hours(m.ttlSeconds);
  const zh = m.hasAccount
    ? [
        `有人（希望是您）用这个邮箱申请在 medstock 创建机构「${m.organizationName}」。`,
        '这个邮箱已经有 medstock 账号：打开下面的链接并输入您原来的密码，新机构就归入您的账号（注册表单上填的密码不会被使用）。',
        m.link,
      ]
    : [
        `请确认在 medstock 创建机构「${m.organizationName}」：打开下面的链接，再输入一次注册时设置的密码。`,
        m.link,
      ];
  const en = m.hasAccount
    ? [
        `Someone (hopefully you) asked to create the organisation "${m.organizationName}" on medstock with this address.`,
        'This address already has a medstock account: open the link below and enter your existing password to add the organisation to it (the password typed on the sign-up form is not used).',
        m.link,
      ]
    : [
        `Please confirm creating the organisation "${m.organizationName}" on medstock: open the link below and enter the password you chose once more.`,
        m.link,
      ];
  return {
    to: m.to,
    ...bilingual(
      m.locale,
      { 'zh-CN': '确认注册 medstock', en: 'Confirm your medstock sign-up' },
      {
        'zh-CN': [
          '您好！',
          '',
          ...zh,
          '',
          `链接 ${h} 小时内有效，只能使用一次。如果不是您本人操作，请忽略本邮件，什么都不会改变。`,
        ],
        en: [
          'Hello,',
          '',
          ...en,
          '',
          `The link works once, for ${h} hours. If this was not you, ignore this message: nothing changes.`,
        ],
      },
    ),
  };
}

export function passwordResetMail(m: {
  to: string;
  locale: Locale;
  link: string | null;
  ttlSeconds: number;
  signupLink: string;
}): MailMessage {
  const h = hours(m.ttlSeconds);
  const lines: Lines = m.link
    ? {
        'zh-CN': [
          '您好！',
          '',
          '有人（希望是您）申请重置这个 medstock 账号的密码。打开下面的链接设置新密码；设置后，所有已登录的设备都需要重新登录。',
          m.link,
          '',
          `链接 ${h} 小时内有效，只能使用一次。如果不是您本人操作，请忽略本邮件，密码不会改变。`,
        ],
        en: [
          'Hello,',
          '',
          'Someone (hopefully you) asked to reset the password of this medstock account. Open the link below to choose a new one; every signed-in device will then have to sign in again.',
          m.link,
          '',
          `The link works once, for ${h} hours. If this was not you, ignore this message: the password stays as it is.`,
        ],
      }
    : {
        'zh-CN': [
          '您好！',
          '',
          '有人用这个邮箱申请重置 medstock 密码，但这个邮箱没有 medstock 账号。',
          `如果您想注册，请打开 ${m.signupLink}。如果不是您本人操作，请忽略本邮件。`,
        ],
        en: [
          'Hello,',
          '',
          'Someone asked to reset a medstock password for this address, but it has no medstock account.',
          `To sign up, open ${m.signupLink}. If this was not you, ignore this message.`,
        ],
      };
  return {
    to: m.to,
    ...bilingual(m.locale, { 'zh-CN': '重置 medstock 密码', en: 'Reset your medstock password' }, lines),
  };
}

export function passwordChangedMail(m: { to: string; locale: Locale; resetLink: string }): MailMessage {
  return {
    to: m.to,
    ...bilingual(
      m.locale,
      { 'zh-CN': 'medstock 密码已更改', en: 'Your medstock password was changed' },
      {
        'zh-CN': [
          '您好！',
          '',
          '您的 medstock 密码刚刚通过邮件链接重置，所有设备都已退出登录。',
          `如果不是您本人操作，请立即到 ${m.resetLink} 再次重置密码，并通知机构管理员。`,
        ],
        en: [
          'Hello,',
          '',
          'Your medstock password was just reset through an e-mailed link, and every device was signed out.',
          `If this was not you, reset it again at ${m.resetLink} at once and tell your organisation's administrator.`,
        ],
      },
    ),
  };
}
