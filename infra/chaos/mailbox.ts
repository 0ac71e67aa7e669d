import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './timing.ts';

/**
 * The body of a single-part message as nodemailer writes it (text/plain, base64 or
 * quoted-printable). Only the link is read from it, which is ASCII, so no charset work is needed.
 */
function decodedBody(eml: string): string {
  const [head = '', ...rest] = eml.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(head)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable')
    return body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return body;
}

/**
 * Waits for the sign-up confirmation e-mailed to `email` (the API writes .eml files to MAIL_DIR
 * when no SMTP_URL is set) and returns the token of its `/signup/confirm?token=` link.
 */
export async function signupConfirmationToken(
  mailDir: string,
  email: string,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const to = new RegExp(`^to:.*${email.replace(/[.+]/g, '\\$&')}`, 'im');
  while (Date.now() < deadline) {
    let files: string[] = [];
    try {
      files = readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
    } catch {}
    for (const f of files) {
      const eml = readFileSync(join(mailDir, f), 'utf8');
      if (!to.test(eml)) continue;
      const token = /\/signup\/confirm\?token=([A-Za-z0-9_\-.~%]+)/.exec(decodedBody(eml))?.[1];
      if (token) return decodeURIComponent(token);
    }
    await sleep(100);
  }
  throw new Error(`no sign-up confirmation for ${email} in ${mailDir} within ${timeoutMs / 1000} s`);
}
