import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '@medstock/config';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * The worker's outgoing mail, configured exactly like the API's (api/src/mail/mailer.ts): SMTP
 * when SMTP_URL is set, otherwise a fully formed .eml file per message in MAIL_DIR. The worker
 * cannot import the API, so the few lines of transport choice live here too; a failure throws
 * (the digest is then retried by the next run, its row not written).
 */
export function createWorkerMailer(config: Pick<AppConfig, 'SMTP_URL' | 'MAIL_DIR' | 'MAIL_FROM'>) {
  if (config.SMTP_URL) {
    const transport = nodemailer.createTransport(config.SMTP_URL);
    return {
      send: async (m: OutgoingMail) => {
        await transport.sendMail({ from: config.MAIL_FROM, ...m });
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    send: async (m: OutgoingMail) => {
      const info = await transport.sendMail({ from: config.MAIL_FROM, ...m });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      await mkdir(config.MAIL_DIR, { recursive: true, mode: 0o700 });
      await writeFile(join(config.MAIL_DIR, name), info.message as Buffer, { mode: 0o600 });
    },
    close: () => undefined,
  };
}
export type WorkerMailer = ReturnType<typeof createWorkerMailer>;
