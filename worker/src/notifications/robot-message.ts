import { createHmac } from 'node:crypto';
import { ALERT_TYPE_WORDS, FEED_KIND_WORDS, words } from './alert-words.ts';

export type RobotKind = 'wecom' | 'dingtalk';
export type RobotLanguage = 'zh-CN' | 'en' | 'both';

export interface RobotAlert {
  alertId: string;
  feedKind: string;
  type: string;
  itemCode: string;
  itemNameZh: string;
  itemNameEn: string;
  siteName: string;
  locationName: string;
  explanation: { zh: string; en: string } | null;
  action: { zh: string; en: string } | null;
  /** Local time of the alert's event, YYYY-MM-DD HH:MM. */
  at: string;
  link: string;
}

function section(a: RobotAlert, lang: 'zh' | 'en'): { title: string; body: string } {
  const zh = lang === 'zh';
  const sep = zh ? '：' : ': ';
  const kind = words(FEED_KIND_WORDS, a.feedKind)[lang];
  const type = words(ALERT_TYPE_WORDS, a.type)[lang];
  const name = zh ? a.itemNameZh : a.itemNameEn;
  const lines = [
    `### 🔴 ${kind}${sep}${type}`,
    `> ${zh ? '耗材' : 'Item'}${sep}**${name}**${zh ? `（${a.itemCode}）` : ` (${a.itemCode})`}`,
    `> ${zh ? '位置' : 'Where'}${sep}${a.siteName} · ${a.locationName}`,
    ...(a.explanation ? [`> ${zh ? '说明' : 'Why'}${sep}${a.explanation[lang]}`] : []),
    ...(a.action ? [`> ${zh ? '建议' : 'Do'}${sep}${a.action[lang]}`] : []),
    `> ${zh ? '时间' : 'At'}${sep}${a.at}`,
    '',
    `[${zh ? '查看预警详情' : 'Open the alert'}](${a.link})`,
  ];
  return { title: `${zh ? '【紧急】' : '[Critical] '}${type}${sep}${name}`, body: lines.join('\n') };
}

/** The markdown of a critical alert in the organisation's robot language (Chinese first when both). */
export function robotMarkdown(a: RobotAlert, language: RobotLanguage): { title: string; text: string } {
  const parts =
    language === 'both'
      ? [section(a, 'zh'), section(a, 'en')]
      : [section(a, language === 'en' ? 'en' : 'zh')];
  return { title: parts[0]!.title, text: parts.map((p) => p.body).join('\n\n---\n\n') };
}

/** WeCom caps markdown content at 4096 bytes; DingTalk's limit is larger. Cut on a character. */
function capBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = text;
  while (Buffer.byteLength(out) > max - 3) out = out.slice(0, -1);
  return `${out}…`;
}

/**
 * The body each robot expects — WeCom: {"msgtype":"markdown","markdown":{"content":…}};
 * DingTalk: {"msgtype":"markdown","markdown":{"title":…,"text":…}}.
 */
export function robotBody(kind: RobotKind, message: { title: string; text: string }): string {
  if (kind === 'wecom')
    return JSON.stringify({ msgtype: 'markdown', markdown: { content: capBytes(message.text, 4096) } });
  return JSON.stringify({
    msgtype: 'markdown',
    markdown: { title: message.title, text: capBytes(message.text, 20000) },
  });
}

/**
 * DingTalk's signed URL (加签): sign = Base64(HMAC-SHA256(key = secret, "<timestamp>\n<secret>")),
 * URL-encoded, appended with the millisecond timestamp. DingTalk refuses a timestamp more than an
 * hour off, so it is made at each attempt.
 */
export function dingtalkSignedUrl(url: string, secret: string, timestamp = Date.now()): string {
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestamp));
  u.searchParams.set('sign', sign);
  return u.toString();
}

/** Both robots answer 200 with {"errcode":0,"errmsg":"ok"}; any other errcode is a failure. */
export function robotAnswerError(answer: string | undefined): string | null {
  if (!answer) return null;
  try {
    const j = JSON.parse(answer) as { errcode?: number; errmsg?: string };
    if (typeof j.errcode === 'number' && j.errcode !== 0)
      return `robot refused: errcode ${j.errcode}${j.errmsg ? ` (${String(j.errmsg).slice(0, 120)})` : ''}`;
  } catch {
    // Not JSON: a proxy or a test receiver; the 2xx stands.
  }
  return null;
}
